"""Makes the hand-built histories (stat_history.py) importable from the unit and integration tests."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
