"""Pure NumPy/OpenCV/Pillow arithmetic: no web framework, no Keras."""
