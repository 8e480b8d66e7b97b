"""Social assistance (社会救助): 低保, 特困, 低保边缘 and 刚性支出困难 families.

Decisions, the monthly payment roll, person benefits, and the dynamic monitoring and early
warning of low-income people (低收入人口动态监测预警).
"""
