"""Medical security: one-stop, one-bill settlement (一站式、一单制) of basic insurance,
critical-illness insurance (大病保险 / 大额医疗补助) and medical assistance (医疗救助)."""
