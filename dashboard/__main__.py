"""python -m dashboard: serve the atlas (HOST and PORT override 127.0.0.1:8050)."""
import os

from dashboard.app import create_app

if __name__ == "__main__":
    create_app().run(host=os.environ.get("HOST", "127.0.0.1"),
                     port=int(os.environ.get("PORT", "8050")), debug=False)
