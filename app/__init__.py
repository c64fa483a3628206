"""Snabbintervjuer: the control plane for speed video interviews."""
