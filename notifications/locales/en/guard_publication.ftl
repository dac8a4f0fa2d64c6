## Publishing results: what holds it back, and what happens if results change afterwards
## (issue #12, guarantee 3; R-RES-2, R-PRO-2, R-APL-1, R-APL-3, R-APL-7, R-APL-9)

err-publish-appeals-undecided = The results cannot be published yet: appeals without a decision — { $count }. Results are published after the appeal commission decides (R-APL-7, R-APL-9).
err-publish-pre-appeals-voting = The results cannot be published yet: pre-appeal votes still open — { $count } (R-APL-1).
err-publish-dispute-window-open = The results cannot be published yet: disputes ({ $count }) may still be appealed — until { $until } (R-APL-3).
err-publish-results-unsigned = The results cannot be published yet: the results protocol is signed by { $signed } of { $total }, waiting for { $waiting } (R-PRO-2).

pubg-ready-appeals = ⏳ Appeals without a decision: { $count } (R-APL-7)
pubg-ready-pre-appeals = ⏳ Pre-appeal votes still open: { $count } (R-APL-1)
pubg-ready-disputes = ⏳ The appeal filing window of disputes ({ $count }) is still open — until { $until } (R-APL-3)
pubg-ready-results-signed = { $mark } The results protocol is signed by everyone (R-PRO-2): signed by { $signed } of { $total }
pubg-changed = ⚠️ Results changed after publication ({ $at }): participants whose results changed — { $count }; they were told what changed and why. Results protocol, version { $version }: signed by { $signed } of { $total }{ $complete ->
    [yes] {" "}— signed by everyone.
   *[no] {""}.
}

pubchg-note-changed = ⚠️ The results of «{ $scheme }» changed after publication{ $cause ->
    [appeal] {" "}by the appeal commission's decision (appeal №{ $id })
    [pre_appeal] {" "}by the pre-appeal decision №{ $id }
   *[other] {""}
}{ $own ->
    [yes] : { $text }
   *[no] {""}. Places were recalculated.
}
    Before: { $old_total } { $old_total ->
    [one] point
   *[other] points
}, place { $old_place }{ $old_medal ->
    [gold] , gold medal
    [silver] , silver medal
    [bronze] , bronze medal
   *[none] {""}
}.
    Now: { $disqualified ->
    [yes] disqualified — no place and no medal.
   *[no] { $new_total } { $new_total ->
    [one] point
   *[other] points
}, place { $new_place }{ $new_medal ->
        [gold] , gold medal
        [silver] , silver medal
        [bronze] , bronze medal
       *[none] {""}
    }.
}{ $document ->
    [reissued] {" "}The new document is attached; the earlier one is void.
    [void] {" "}The document issued earlier is void.
   *[same] {""}
}
pubchg-note-coordinator = ⚠️ The results of «{ $scheme }» changed after publication{ $cause ->
    [appeal] {" "}(decision on appeal №{ $id })
    [pre_appeal] {" "}(pre-appeal №{ $id })
   *[other] {""}
}: participants whose results changed — { $count }, they were told. Results protocol, version { $version }, sent for signature.

progress-results-changed-title = <b>Results changed after publication</b>
progress-results-changed-line = «{ $scheme }»: results changed after publication { $at } — participants: { $count }; results protocol, version { $version }: signed by { $signed } of { $total }
pubg-ready-outdated = ⏳ The results changed after the results protocol was made: make it again and sign it
