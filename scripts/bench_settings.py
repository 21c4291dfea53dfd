"""The production settings, as served behind a load balancer: the settings of ``make bench``.

The one difference: allauth takes the client's address from the last ``X-Forwarded-For`` entry,
as it must behind a load balancer (otherwise every client has the balancer's address). The
benchmark's load generator plays many clients that way, so the login rate limit (30 a minute per
address) stays on and is checked on every login, per client, as in production.
"""

from ceplus.settings import *  # noqa: F403

ALLAUTH_TRUSTED_PROXY_COUNT = 1
