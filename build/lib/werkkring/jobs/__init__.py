"""Work outside the request: durable background jobs (:mod:`.queue`, run by huey in :mod:`.runner`; the
kinds in :mod:`.mail` and beside them) and batch jobs that run on Ray (:mod:`.matching`, optional extra
``werkkring[ray]``, imported lazily)."""
