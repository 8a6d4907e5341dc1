"""gunicorn settings for `make serve`. HOST, PORT and WORKERS override the defaults.

Loopback only unless HOST says otherwise. Workers share nothing but the
read-only store, loaded once before they fork (preload), so any worker, or
any instance behind a proxy, can answer any request.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WORKERS", "3"))
preload_app = True
timeout = 30
graceful_timeout = 10
limit_request_line = 8190
accesslog = os.environ.get("ACCESS_LOG") or None  # "-" for stdout
errorlog = "-"
# Threads let a worker stream the large JavaScript bundles while it answers callbacks.
# PNG exports hold at most THREADS - 1 of them (PNG_QUEUE in dashboard/export.py).
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "4"))
control_socket_disable = True  # no control socket in the user's home directory
