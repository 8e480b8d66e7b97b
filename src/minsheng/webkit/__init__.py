"""The page kit every package's pages and API use, below the services and above the foundation.

- :mod:`~minsheng.webkit.render`: templates (each package's own ``templates/`` folder), the
  context every page gets, the error page;
- :mod:`~minsheng.webkit.guards`: ``permit`` / ``public`` (deny unless allowed), CSRF, client
  address, rate and size limits, security headers;
- :mod:`~minsheng.webkit.deps`: the request's unit of work, its language, bounded path ids;
- :mod:`~minsheng.webkit.i18n`: gettext catalogues (zh, bo, en);
- :mod:`~minsheng.webkit.errors`: JSON problems for the API, a page for people.

The app (:mod:`minsheng.web.app`) assembles the kit, the registered routers and auth's resolver
of the caller; the kit imports no service.
"""
