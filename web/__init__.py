"""The web questionnaire (``selfcheck serve``): a form generated from the questionnaire, the same engine behind it.

app.py composes the routes; the page modules (start_pages, team_pages, file_pages, chapter_pages,
review_pages, amendment_pages, downloads, follow_up_pages and follow_up_writes over follow_up_reading,
error_pages) build on site.py, the core;
forms.py form fields <-> answers data, storage.py the files of DATA_DIR, security.py CSRF, body cap
and headers, auth.py who is asking, gate.py whether a login is needed (closed while the team's
database cannot say); templates/ and static/ hold the HTML, CSS and a little JS.
The layers are pyproject.toml's import-linter contract.
"""
