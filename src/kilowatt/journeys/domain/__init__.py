"""Pure rules of the journeys: which dates a move may have, and which step is next."""
