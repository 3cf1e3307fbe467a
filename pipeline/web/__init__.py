"""The studio: a local web app over the same stages, files and database as the CLI.

`app.create_app` builds it; `registry` is how a page declares its routes and roles;
`pages/` holds one module per page (listed in `pages.PAGES`); `guard` enforces sessions,
CSRF and roles on every route; `files` serves media safely and checks uploads;
`serve` starts the app, a job worker and the publish scheduler together.
"""
