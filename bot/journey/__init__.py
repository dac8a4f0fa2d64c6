"""The participant's journey as screens: choosing the contest, the consent and the
verification form (R-VER), the nominations and the application (R-APP), the status card
(R-VER-5) and "what comes next". Handlers call these after a service call; nothing here
changes data."""
