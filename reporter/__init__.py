"""reporter: validate a cooperation workbook, reconcile it with published sources, build briefings.

The library API (the CLI is a thin layer over it):

    from reporter.validate import validate_file      # read + validate (records=False:
                                                     # the report only, checked where read)
    from reporter.facts import load_facts            # the fact base
    from reporter.reconcile import reconcile         # workbook vs facts
    from reporter.build import build                 # briefings and summaries

Submodules are imported on demand so that the command line starts quickly.
"""

__version__ = "0.1.0"
