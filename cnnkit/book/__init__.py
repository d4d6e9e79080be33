"""The book's support code: what only the notebooks use, kept apart from the numerical core.

``cnnkit`` itself imports only numpy; this package adds matplotlib and ipywidgets (the
``book`` extra). Shared pieces first, then one module per chapter, named like its
notebook, with that chapter's figures, explorer and exercise checks. What a second
chapter needs moves to the shared pieces.

=================================  ==============================================  ==========
module                             what it holds                                   used by
=================================  ==============================================  ==========
``cnnkit.book.style``              palette, colormaps, ``set_style``, box CSS      all
``cnnkit.book.figures``            show_image, show_matrix, mark_window, small     all
                                   multiples, offline animations, PNG/SVG for HTML
``cnnkit.book.explorer``           ``Explorer`` (the one shape of every explorer)  1, 2, 3
                                   and the Binder note of the static book
``cnnkit.book.exercises``          ``CheckResult``, ``Case``, ``Mistake``, the     all
                                   engine, check_value/function/shape, shared
                                   hints
``cnnkit.book.introduction``       LeNet-5 drawing, the introduction's checks      introduction
``cnnkit.book.ch01_images``        pixel explorer, checks of pixels and dtypes     1
``cnnkit.book.ch02_convolution``   one step, the sliding window, filter figures,   2
                                   filter explorer, convolution checks
``cnnkit.book.ch03_conv_layer``    window positions, layer explorer, output-size,  3
                                   shape, parameter and multiply-add checks
=================================  ==============================================  ==========

A notebook imports its own module and the shared ones it draws with::

    from cnnkit.book import ch02_convolution as ch2
    from cnnkit.book import figures, style
"""
