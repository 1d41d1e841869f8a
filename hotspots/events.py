"""Events of the hotspots that the layers above act on.

The hotspots app sits below the task forces and never imports them; yet the approval of a
hotspot is the moment its Local Task Force comes to exist, in the same transaction. The
task forces subscribe here from ``TaskforcesConfig.ready()``. Events are sent with
``send()`` inside the deciding transaction: a subscriber that fails rolls the decision back.
"""

from django.dispatch import Signal

# Sent with ``hotspot`` and ``by`` when every concerned mayor approved a hotspot.
hotspot_approved = Signal()

# Sent with ``hotspot``, ``version`` (now in force), ``previous`` (superseded, or None) and
# ``by`` when every concerned mayor approved a change of the hotspot's perimeter.
perimeter_in_force = Signal()
