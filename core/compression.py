"""Responses compressed (brotli, or gzip for clients that take only that) when their type gains from it:
pages, CSS, JavaScript, JSON, CSV, SVG and XML. Photos, PDFs, workbooks and fonts are compressed already,
and compressing them again would cost the server for nothing."""

from __future__ import annotations

from typing import Literal

from litestar.config.compression import CompressionConfig
from litestar.enums import CompressionEncoding
from litestar.middleware.compression import CompressionMiddleware
from litestar.types import Message, Scope, Send

COMPRESSIBLE = (b"text/", b"application/json", b"application/problem+json", b"application/javascript",
                b"image/svg+xml", b"application/xml", b"application/vnd.oai.openapi+json")


def _compressible(headers) -> bool:
    content_type, encoded = b"", False
    for name, value in headers or ():
        name = bytes(name).lower()
        if name == b"content-type":
            content_type = bytes(value).lower()
        elif name == b"content-encoding":
            encoded = True
    return not encoded and content_type.startswith(COMPRESSIBLE)


class CompressibleOnly(CompressionMiddleware):
    """Litestar's compression, for the response types in COMPRESSIBLE only."""

    def create_compression_send_wrapper(
        self, send: Send, compression_encoding: Literal[CompressionEncoding.BROTLI, CompressionEncoding.GZIP] | str,
        scope: Scope,
    ) -> Send:
        compressing = super().create_compression_send_wrapper(send, compression_encoding, scope)
        chosen: Send = compressing

        async def send_wrapper(message: Message) -> None:
            nonlocal chosen
            if message["type"] == "http.response.start":
                chosen = compressing if _compressible(message.get("headers")) else send
            await chosen(message)

        return send_wrapper


# Brotli quality 4 and gzip level 6: nearly the size of the strongest settings at a fraction of their time,
# paid on every page.
COMPRESSION = CompressionConfig(backend="brotli", brotli_quality=4, gzip_compress_level=6, minimum_size=500,
                                middleware_class=CompressibleOnly)
