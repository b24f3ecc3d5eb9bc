"""Is the assistant ready? The index loaded, Chroma holding what it names,
the embedding model answering. For `python -m answer health`, the chat's
`health` API endpoint and anyone's monitoring script."""

from __future__ import annotations

import time


def health(assistant) -> dict:
    """A JSON-ready report; ``status`` is "ok" only if every check passed."""
    search, problems = assistant.search, []
    snap = search.snapshot
    from index.snapshot import current_name

    index_dir = assistant.settings.resolved_index_dir()
    index = {"dir": str(index_dir), "articles": len(snap.files), "passages": len(snap.ids),
             "embedder": snap.manifest.get("embedder"), "snapshot": snap.name, "built_at": snap.built_at,
             # An ingest committed a newer one: the next question loads it (answer/live.py).
             "newer_snapshot": bool(current_name(index_dir)) and current_name(index_dir) != snap.name}
    if not snap.ids:
        problems.append("the index is empty: add .txt files to the corpus and run `python -m ingest`")
    try:
        index["chroma_passages"] = search.store.count()
        if index["chroma_passages"] < len(snap.ids):
            problems.append("Chroma holds fewer passages than the index names: run `python -m ingest`")
    except Exception as err:  # a Chroma server that went away
        problems.append(f"Chroma is not reachable: {type(err).__name__}: {err}")
    model = {"embedder": assistant.settings.embedder, "loaded": False}
    try:
        started = time.perf_counter()
        vector = search.embedder.embed_query("kiểm tra")
        model.update(loaded=len(vector) > 0, dimensions=len(vector),
                     query_seconds=round(time.perf_counter() - started, 4))
    except Exception as err:
        problems.append(f"the embedding model does not answer: {type(err).__name__}: {err}")
    report = {"status": "error" if problems else "ok", "index": index, "model": model,
              "answer_mode": assistant.mode,
              "chat_model": type(assistant.chat_model).__name__ if assistant.chat_model is not None else None}
    if problems:
        report["problems"] = problems
    return report
