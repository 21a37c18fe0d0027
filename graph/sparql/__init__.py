"""The graph part's query catalogue (``*.rq`` files, data only): read through
:func:`fenjie.graph._sparql.sparql`."""
