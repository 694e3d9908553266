"""Work outside the request: the handlers of the durable background jobs (the queue itself is
:mod:`werkkring.queue`, below the actions that enqueue; huey runs them in :mod:`.runner`; every kind is
listed in :mod:`.kinds`) and batch jobs that run on Ray (:mod:`.matching`, optional extra
``werkkring[ray]``, imported lazily)."""
