"""uvicorn's httptools protocol, taught to take a raw UTF-8 query: `curl '…/api/find?q=德化街'`.

curl and many scripts send the characters of a URL as they are typed, UTF-8 bytes and all;
browsers percent-encode them. llhttp (httptools) and h11 both refuse bytes above 0x7f in a
request line (RFC 9112 asks for ASCII) with a 400, so a desk's one-line `curl` would fail.
This protocol percent-encodes those bytes in the request line only, before the parser reads
it: nothing changes for a request that is already ASCII, and a body (a batch's JSON, in
UTF-8) is never touched. The bytes that follow a complete message (or open a connection)
belong to a request line until the parser has read its URL (on_url); a line split across
reads is encoded piece by piece, each byte alone. (A second request pipelined in the same
read as the first is not encoded: with raw UTF-8 in it, it gets the parser's 400.)
"""

from __future__ import annotations

import re

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_HIGH = re.compile(rb"[\x80-\xff]")


def _encode(match: re.Match[bytes]) -> bytes:
    return b"%%%02X" % match.group()[0]


class Utf8TargetProtocol(HttpToolsProtocol):
    _in_request_line = True  # the next bytes start a request line

    def data_received(self, data: bytes) -> None:
        if self._in_request_line:
            end = data.find(b"\n")
            line = data if end < 0 else data[:end]
            if _HIGH.search(line):
                data = _HIGH.sub(_encode, line) + (b"" if end < 0 else data[end:])
        super().data_received(data)

    def on_url(self, url: bytes) -> None:
        self._in_request_line = False
        super().on_url(url)

    def on_message_complete(self) -> None:
        self._in_request_line = True
        super().on_message_complete()
