"""The case engine: states and transitions as a table, who may take each step (maker–checker),
deadlines in working days, events, region queues and assignment — shared by every programme's
casework. See :mod:`minsheng.cases.engine`."""
