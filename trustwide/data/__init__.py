"""Pupil data: validated imports, the Parquet analytics store and the synthetic trust generator.

Framework independent on purpose: nothing in the library modules imports Django, so the
importers, the store and the generator run the same in a background job, a command, a test
or a benchmark. Entry points (import them from their modules; this package stays light so a
Django app can live here too):

- trustwide.data.validation.validate_file -> ValidationResult
- trustwide.data.store.AnalyticsStore (write_batch, rollback, list_batches, paths, glob, reading,
  recover; errors: StoreError, StoreFull, BatchNotFound)
- trustwide.data.generator.generate_trust
"""
