"""Search across what a person may see (issue 14): hotspots, actions and their timeline,
meetings and their points and decisions, bulletins, police orders, reports, the CoReS."""
