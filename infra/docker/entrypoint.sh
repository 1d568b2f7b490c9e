#!/bin/sh
# Runs the module the image was built for; any arguments replace it (e.g. a shell for debugging).
set -eu
if [ "$#" -gt 0 ]; then
    exec "$@"
fi
: "${THADS_MODULE:?image built without SERVICE_MODULE}"
exec python -m "$THADS_MODULE"
