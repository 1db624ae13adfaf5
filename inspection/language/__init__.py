"""The Vietnamese the app reads and writes: the translation catalogs (i18n.py), text as typed
(text.py: NFC, folding for search) and dates, times and numbers as shown (formatting.py: dd/mm/yyyy,
Asia/Ho_Chi_Minh, decimal comma)."""
