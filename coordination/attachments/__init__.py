"""Documents and photos attached to actions, meetings, bulletins and escalations.

The app belongs to the regional core: it knows nothing of the objects it is attached to.
The apps above register, per model, who may see and who may attach (``providers``).
"""
