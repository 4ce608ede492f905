"""The textbook examples from the issue, shared by the core, API and browser tests."""

# A 6x6 binary image and a blur kernel: valid convolution gives a 4x4 map whose first row,
# rounded to two places, is .56 .57 .57 .56.
BINARY_6X6 = [
    [1, 0, 1, 1, 0, 1],
    [0, 1, 0, 0, 1, 0],
    [0, 1, 1, 1, 1, 0],
    [0, 1, 1, 1, 1, 0],
    [1, 0, 1, 1, 0, 1],
    [1, 1, 0, 0, 1, 1],
]
BLUR_3X3 = [[0.06, 0.13, 0.06], [0.13, 0.25, 0.13], [0.06, 0.13, 0.06]]
BLUR_FIRST_ROW = [0.56, 0.57, 0.57, 0.56]

# 2x2 max pooling of this grid gives [[256, 153], [23, 55]].
POOL_4X4 = [[110, 256, 153, 67], [12, 89, 88, 43], [10, 15, 50, 55], [23, 9, 49, 23]]
POOL_4X4_MAX = [[256, 153], [23, 55]]
