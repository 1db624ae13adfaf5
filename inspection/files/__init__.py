"""Stored files: the store itself (storage.py: local disk or an S3 bucket through storage_s3.py,
type and size checks, sha256), photos (photos.py: checked, resized, EXIF-stripped), the malware
scan every upload passes (malware.py) and copying a whole store to another (storage_copy.py, the
`flask storage copy-to-s3` command)."""
