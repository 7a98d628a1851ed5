"""One router per resource; each module exposes ``router`` (see ``api.main.ROUTERS``)."""
