"""One module per format; each reads a file into the records `core` imports.

A reader is a function `read(path, *, site_url="") -> Iterator[Record]` that streams, plus
`sniff(path) -> bool` so a file in another format is told apart before anything is written.
"""

from . import commento, disqus, isso, jsonl, remark42, wxr

READERS = {
    "disqus": disqus,
    "wxr": wxr,
    "remark42": remark42,
    "commento": commento,
    "isso": isso,
    "jsonl": jsonl,
}
