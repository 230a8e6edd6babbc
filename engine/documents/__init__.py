"""The documents of an assessment: the factsheet (built as a neutral document, laid out by the
round's layout, rendered in Markdown, HTML and Word), and the published factsheets the goldens compare.

May import: ``engine.drafting`` and the layers below it."""
