## Protocols and signatures (R-PRO-1…4), publication of results (R-RES-1…3)

pro-btn-sign = ✍️ Sign
pro-btn-refuse = Refuse
pro-note-sign = 📄 Protocol «{ $title }» (version { $version }) — your signature is needed. Check the document and press «Sign», or «Refuse» with a reason.
pro-note-refused = ⚠️ { $name } refused to sign the protocol «{ $title }» (version { $version }). Reason: { $why }
pro-note-dismantle = ✅ The protocol «{ $title }» is signed by all experts. The contest works can be dismantled (R-PRO-4).
pro-note-unsigned = ⏰ The protocol «{ $title }» (version { $version }) is waiting for your signature.

pub-note-result = 🏅 The results of «{ $scheme }» are published. Your result: { $total } { $total ->
    [one] point
   *[other] points
}, place { $place }{ $medal ->
    [gold] , gold medal
    [silver] , silver medal
    [bronze] , bronze medal
   *[none] {""}
}.{ $advances ->
    [yes] {" "}Your application goes on to the next stage of the contest.
   *[no] {""}
} The document is attached.
pub-note-thanks = Thank you for your work on the expert commission «{ $scheme }»! A letter of thanks is attached.
pub-note-published = ✅ The results of «{ $scheme }» are published: the participants have been sent their results ({ $participants }). The results protocol is attached.

err-protocol-not-found = Protocol not found.
err-protocol-changed = The protocol has changed — sign its new version ({ $version }); it has been sent to you in a separate message.
err-protocol-not-ready = The protocol document is still being prepared — wait a minute and try again.
err-not-a-protocol-signer = You are not a signer of this protocol.
err-already-refused = You have already refused to sign this version of the protocol; to sign it, press «Sign».
err-refusal-reason-required = Give the reason for refusing to sign.
err-publish-other-regions = The results can be published by the federal coordinator: the list has participants outside your regions.
err-already-published = The results were already published { $at }.
err-score-lock-unsigned = The results cannot be published yet: not all experts have signed the score lock protocol (R-PRO-4).
err-results-protocol-missing = First draw up the results protocol — it is attached to the publication.

## verify-protocol (CLI)

pro-cli-match = The file matches the protocol «{ $title }» (No. { $number }): { $kind }, version { $version }.
    SHA-256 of the file: { $sha }
pro-cli-current-complete = This is the current version of the protocol. The protocol was signed by all signers { $at }.
pro-cli-current-incomplete = This is the current version of the protocol. Not everyone has signed it yet; missing signatures: { $missing }.
pro-cli-superseded = This is not the current version: the protocol has changed, the current one is version { $current }. Signatures on this file no longer count (R-PRO-2).
pro-cli-signers-title = Signed this file ({ $count }):
pro-cli-signer = • { $name } ({ $role }) — { $at }
pro-cli-no-signers = Nobody has signed this file yet.
pro-cli-no-match = The file does not match any protocol: it may have been altered.
    SHA-256 of the file: { $sha }

## In the chat: signing, refusal, /protocols, /publish, /verify (bot/handlers/protocols.py)

pro-signed = ✍️ Signature saved: protocol «{ $title }», version { $version }.
pro-state-count = Signed by { $signed } of { $total }.
pro-state-complete = ✅ The protocol was signed by everyone { $at }.
pro-state-missing = Not signed by: { $names }
pro-state-refusal = ⚠️ Refusal — { $name } ({ $role }): { $why }
pro-refuse-ask = Write in one message why you refuse to sign the protocol «{ $title }» (version { $version }). The chief expert will see it.
pro-refuse-need-text = The reason for refusal must be written as text.
pro-refused = Refusal recorded: protocol «{ $title }», version { $version }. The chief expert will see your reason. If you change your mind, press «Sign» on the document.
pro-status-signing = being signed
pro-status-complete = signed
pro-card-title = 📄 <b>{ $title }</b> (No. { $number })
pro-card-kind = { $kind }, version { $version } — { $status }
pro-btn-pdf = 📎 PDF No. { $number }: { $title }
pro-pdf-caption = Protocol «{ $title }», version { $version } — { $status }.
pro-choose-scheme = Choose a scoring scheme:
pro-list-title = <b>Protocols: { $title }</b> · { $stage } — { $count }
pro-list-empty = No protocols yet: they appear when the scheme or the scores are locked, on corrections and when results are drawn up.

pro-verify-send = Send the protocol PDF — I will check whether it exactly matches a version of the protocol, and who signed it.
pro-verify-need-file = I need the protocol PDF as a document. To leave, send any command.
pro-verify-too-large = The file is too large for a protocol (over 20 MB).
pro-verify-match = ✅ The file matches the protocol «{ $title }» (No. { $number }): { $kind }, version { $version }.
    SHA-256 of the file: <code>{ $sha }</code>
pro-verify-current-complete = This is the current version of the protocol. The protocol was signed by all signers { $at }.
pro-verify-current-incomplete = This is the current version of the protocol. Not everyone has signed it yet; missing signatures: { $missing }.
pro-verify-superseded = ⚠️ This is not the current version: the protocol has changed, the current one is version { $current }. Signatures on this file no longer count (R-PRO-2).
pro-verify-signers = Signed this file ({ $count }):
pro-verify-signer = • { $name } ({ $role }) — { $at }
pro-verify-no-signers = Nobody has signed this file yet.
pro-verify-no-match = ❌ The file does not match any protocol: it may have been altered.
    SHA-256 of the file: <code>{ $sha }</code>

pub-title = <b>Publication of results: { $title }</b> · { $stage }
pub-ready-scores = { $mark } Scores locked by the chief expert
pub-ready-lock = { $mark } Score lock protocol signed by all experts (R-PRO-4)
pub-ready-corrections = ⏳ Unfinished score corrections: { $count } — they must be signed again (R-SCO-6)
pub-ready-results = { $mark } Results protocol { $made ->
    [yes] drawn up
   *[no] not drawn up
}
pub-published-at = ✅ The results were published { $at }.
pub-can-publish = Everything is ready: the results can be published.
pub-cannot-publish = The results cannot be published yet — see the items marked ⏳.
pub-btn-screen = 🏅 Publication of results
pub-btn-results = 📄 Draw up the results protocol
pub-btn-publish = 🏅 Publish the results
pub-btn-publish-yes = Yes, publish
pub-btn-cancel = Cancel
pub-btn-protocols = 📄 Protocols
pub-results-issued = Results protocol drawn up: «{ $title }», version { $version }. The PDF is being sent for signing to the chief expert and the experts ({ $signers }); it will be attached to the publication.
pub-confirm = Results of «{ $title }».
    Publish? The participants will receive their results; this cannot be undone.
pub-done = ✅ The results are published. Results are being sent to participants: { $participants }; letters of thanks: to experts — { $experts }{ $volunteers ->
    [0] {""}
   *[other] , to volunteers — { $volunteers }
}; medals: { $medals }. The results protocol will come to you in a separate message.

err-pro-chief-or-coordinator = Nomination protocols are available to the chief expert and coordinators.
err-pro-verify-coordinator-only = Only a contest coordinator can check protocols.
err-publish-correction-open = The results cannot be published yet: unfinished score corrections — { $count }; corrected score sheets must be signed again (R-SCO-6).
err-results-protocol-outdated = The results have changed since the results protocol was drawn up (a correction or an appeal decision). Draw up the results protocol again — it will go for signing — and then publish.
