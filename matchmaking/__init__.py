"""Connection conferences: buyers' needs, producers' offers, meeting requests and the one-to-one meeting schedule."""
