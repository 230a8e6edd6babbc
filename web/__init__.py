"""The web questionnaire (``selfcheck serve``): a form generated from the questionnaire, the same engine behind it.

app.py the pages, forms.py form fields <-> answers data, storage.py the files of DATA_DIR,
security.py CSRF, body cap and headers; templates/ and static/ hold the HTML, CSS and a little JS.
"""
