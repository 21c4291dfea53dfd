"""Uploaded files are read in memory, never written to a server's disk: they hold personal data,
and another server may answer the next request.

``MemoryOnlyUploadHandler`` keeps each file of a request in memory up to ``max_bytes``; a larger
file is not kept, and the handler says so (``too_large``) so that the form can tell the person
instead of reading the file as missing.
"""

from __future__ import annotations

from io import BytesIO

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers


class MemoryOnlyUploadHandler(FileUploadHandler):
    """Each file in memory up to ``max_bytes``; a larger one is dropped and marked."""

    def __init__(self, request=None, *, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.too_large = False
        # The size of the (last) file dropped, once the request is read; each by its field.
        self.dropped_size: int | None = None
        self.dropped: dict[str, int] = {}
        self._buffer: BytesIO | None = None
        self._dropped = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._buffer = BytesIO()
        self._dropped = False
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data, start):
        if self._dropped:
            self.dropped_size += len(raw_data)
            self.dropped[self.field_name] = self.dropped_size
            return None
        if start + len(raw_data) > self.max_bytes:
            # Stop keeping it: the rest of the request is read and thrown away.
            self._dropped = self.too_large = True
            self._buffer = None
            self.dropped_size = self.dropped[self.field_name] = start + len(raw_data)
            return None
        self._buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self._dropped or self._buffer is None:
            return None
        self._buffer.seek(0)
        return InMemoryUploadedFile(
            file=self._buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
