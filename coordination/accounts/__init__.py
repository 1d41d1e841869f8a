"""Signing in: the lock-out after repeated failures and the second factor.

Who must use two factors, and the writes on devices, are in coordination/people/two_factor.py;
this app holds the pages, the middleware that enforces the second factor, the lock-out
page and its audit, and the admin of the lock-outs and devices.
"""
