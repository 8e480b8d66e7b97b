"""The pure rules of wage protection, one import line per area (each area's rules live in
``wages/<area>_rules.py``; this module only re-exports them, so other programmes read them
through ``minsheng.wages.rules``)."""

from minsheng.wages.deposit_rules import *  # noqa: F403  (deposits and the blacklist)
from minsheng.wages.pay_rules import *  # noqa: F403  (pay sheets, the wage account)
from minsheng.wages.warning_rules import *  # noqa: F403  (monitoring and early warning)
