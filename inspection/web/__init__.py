"""What the pages of every feature share: the base forms (base_forms.py), a refused form answered on
its page and the action forms' one POST (refused_forms.py), list pages (listing.py: keyset
pagination, sorting, search) and their remembered rows (rows.py), any list to .xlsx
(list_exports.py) and .xlsx read in (sheets.py), SVG charts (charts.py) and paths to pages built
without a request (links.py)."""
