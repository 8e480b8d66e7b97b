"""The shared payment engine (发放引擎): the mechanics every programme's monthly payment run uses
— the run lock, the ``prepared`` → ``issued`` marking, the crash-safe finish of the bank file
(temporary name, fsync, rename), the download that re-renders a lost file, and the test-only
fault hook ``MINSHENG_FAULT=payroll:<step>``. A programme supplies its tables and how its bank
file is rendered (:class:`minsheng.payments.engine.Ledger`); assistance's payroll and the
pension roll both run on it. Not a programme: it is not registered on the seam."""
