"""The registry: persons, households, employers, medical facilities, enrolment and statuses."""
