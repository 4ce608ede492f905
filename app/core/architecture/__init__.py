"""The Architecture lab's engine: shapes, parameters, MACs and receptive fields of layer stacks.

``layers`` is the one layer vocabulary; ``ops`` what one layer does; ``summary`` the walk over a
stack and its bounds; ``presets`` famous stacks; ``catalogue`` the vocabulary for the editor.
"""
