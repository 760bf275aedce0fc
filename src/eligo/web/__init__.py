"""The eligo web app: trial search, trial pages with an eligibility checklist, a JSON API and
the FHIR ``ResearchStudy/$match`` operation. FastAPI with Jinja2 pages rendered on the server.

    from eligo.web import create_app
    app = create_app("sqlite:///eligo.db")        # or: eligo serve --db eligo.db

Adding a feature (contact form, notifications, notes…) under ``eligo.web.features``:

* **Router.** Write ``eligo/web/features/<name>.py`` (or a package) with ``router = APIRouter()``
  and, if it needs set-up, ``def install(app: FastAPI) -> None`` (create its tables, keep its
  settings on ``app.state``). Add the module's dotted name to ``FEATURE_MODULES`` in
  :mod:`eligo.web.app`; the factory imports it, includes the router and calls ``install``.
* **State.** ``request.app.state.settings`` is the :class:`~eligo.web.settings.WebSettings`
  (``secret_key``, ``max_field_chars``, ``form_rate_per_minute``…); ``request.app.state.store``
  is the :class:`~eligo.store.TrialStore` (``store.get(trial_id)`` for the trial's sites).
* **Pages.** Templates go in ``eligo/web/templates/features/`` and extend ``base.html``, whose
  blocks are ``title``, ``head`` (extra ``<link>``s), ``content`` (inside ``<main>``),
  ``footer`` and ``scripts`` (``<script src=…>`` tags only: the CSP forbids inline scripts and
  styles). Render with :func:`eligo.web.rendering.render`\\ ``(request, "features/x.html",
  **context)``; it passes ``request``, ``settings`` and ``csrf_token``. Autoescape is on; never
  use ``|safe`` on stored or user text. The trial page has a block ``trial_actions`` (below the
  sites) where a feature can include its own template: see ``trial.html``.
* **CSRF.** Every state-changing route takes ``dependencies=[Depends(check_csrf)]`` from
  :mod:`eligo.web.csrf`. Forms carry ``<input type="hidden" name="{{ csrf_field_name }}"
  value="{{ csrf_token }}">``; fetches send the header ``X-CSRF-Token`` with the value of
  ``<meta name="csrf-token">`` (``eligo.js`` exposes ``window.eligo.csrfToken()`` and
  ``window.eligo.postForm(form)``).
* **Rate limits.** ``limit = RateLimit("contact", per_minute=5)`` from
  :mod:`eligo.web.ratelimit`, then ``dependencies=[Depends(limit)]``; 429 with Retry-After past
  the limit. Without ``per_minute`` it reads ``settings.form_rate_per_minute``.
* **Input limits.** Bodies over ``settings.max_body_bytes`` get 413 before any route runs.
  Check single fields against ``settings.max_field_chars`` (:func:`eligo.web.forms.bounded`);
  answer wrong content types with 415 (:func:`eligo.web.forms.require_content_type`).
* **Errors.** Raise ``HTTPException(status, "a sentence for the person")``: pages get an HTML
  error page, ``/api`` and ``/fhir`` paths get ``{"detail": …}``. Never log patient data or
  form contents.
"""

from eligo.web.app import FEATURE_MODULES, create_app
from eligo.web.settings import WebSettings

__all__ = ["FEATURE_MODULES", "WebSettings", "create_app"]
