"""What a running server keeps: prepared data on disk, per-browser sessions and their
uploads (checked in a sandbox), and the data store each request reads its view from."""
