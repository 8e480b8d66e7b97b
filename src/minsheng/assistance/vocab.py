"""Labels of the assistance vocabularies in Chinese, Tibetan and English."""

from __future__ import annotations

from typing import Final

from minsheng.registry.vocab import Label, label

__all__ = ["Label", "label"]  # shared with the registry's vocabularies

PROGRAMMES: Final[dict[str, Label]] = {
    "dibao": ("最低生活保障（低保）", "འཚོ་བའི་མཐིལ་འགན་ལེན།", "minimum living allowance (低保)"),
    "tekun": ("特困人员救助供养", "དཀའ་ངལ་ཆེས་ཆེ་བའི་མི་སྣར་རོགས་སྐྱོར།", "extreme-poverty support (特困)"),
    "dibao_edge": (
        "低保边缘家庭",
        "འཚོ་བའི་མཐིལ་འགན་ལེན་གྱི་མཐའ་མཚམས།",
        "low-income edge family (低保边缘)",
    ),
    "rigid_expense": (
        "刚性支出困难家庭",
        "ངེས་པར་དགོས་པའི་འགྲོ་སོང་དཀའ་ངལ།",
        "rigid-expense hardship (刚性支出)",
    ),
    "temporary": ("临时救助", "གནས་སྐབས་ཀྱི་རོགས་སྐྱོར།", "temporary assistance (临时救助)"),
}
STATES: Final[dict[str, Label]] = {
    "applied": ("已受理", "ཞུ་ཡིག་བླངས་ཟིན།", "applied"),
    "checking": ("审核中", "ཞིབ་བཤེར་བྱེད་བཞིན་པ།", "being checked"),
    "notice": ("公示中", "ཁྱབ་བསྒྲགས་བྱེད་བཞིན་པ།", "public notice"),
    "approved": ("已确认", "ཆོག་མཆན་ཐོབ་ཟིན།", "approved"),
    "rejected": ("不予确认", "ཆོག་མཆན་མ་ཐོབ།", "rejected"),
    "stopped": ("已停发", "མཚམས་བཞག་ཟིན།", "stopped"),
}
ACTIONS: Final[dict[str, Label]] = {
    "apply": ("申请", "ཞུ་ཡིག", "apply"),
    "check": ("审核（入户调查）", "ཞིབ་བཤེར།", "check"),
    "notice": ("公示", "ཁྱབ་བསྒྲགས།", "publish notice"),
    "approve": ("确认", "ཆོག་མཆན།", "approve"),
    "reject": ("不予确认", "ཆོག་མཆན་མི་སྤྲོད།", "reject"),
    "review": ("复核", "བསྐྱར་ཞིབ།", "review"),
    "stop": ("停发", "མཚམས་འཇོག", "stop"),
}
CAUSES: Final[dict[str, Label]] = {
    "income_below_standard": (
        "人均收入低于低保标准",
        "འབབ་འབྲས་མཐིལ་འགན་ཚད་ལས་དམའ།",
        "income below the 低保 standard",
    ),
    "income_below_edge": (
        "人均收入低于低保边缘线",
        "འབབ་འབྲས་མཐའ་མཚམས་ཐིག་ལས་དམའ།",
        "income below the edge line",
    ),
    "medical_burden": ("医疗负担重", "སྨན་བཅོས་ཀྱི་འགན་ཁུར་ལྗིད།", "heavy medical costs"),
    "member_disabled": ("成员新近残疾", "ཁྱིམ་མི་གསར་དུ་དབང་པོ་སྐྱོན་ཅན་དུ་གྱུར།", "a member newly disabled"),
    "member_deceased": ("成员死亡", "ཁྱིམ་མི་འདས་གྲོངས།", "a member died"),
    "member_unemployed": ("成员失业", "ཁྱིམ་མི་ལས་མེད།", "a member lost their job"),
    "review_due": ("复核到期", "བསྐྱར་ཞིབ་ཀྱི་དུས་ཚོད་སླེབས།", "review due"),
    "certificate_expiring": (
        "残疾人证即将到期",
        "དབང་པོ་སྐྱོན་ཅན་ལག་ཁྱེར་དུས་ཚོད་ཡོལ་ཉེ།",
        "disability certificate expiring",
    ),
}
WARNING_STATES: Final[dict[str, Label]] = {
    "new": ("新预警", "ཉེན་བརྡ་གསར་པ།", "new"),
    "checking": ("核实中", "ཞིབ་བཤེར་བྱེད་བཞིན་པ།", "checking"),
    "assisted": ("已救助", "རོགས་སྐྱོར་བྱས་ཟིན།", "assisted"),
    "no_action": ("无需救助", "རོགས་སྐྱོར་མི་དགོས།", "no action needed"),
}
INCOME_KINDS: Final[dict[str, Label]] = {
    "wage": ("工资性收入", "གླ་ཕོགས།", "wages"),
    "business": ("经营净收入", "ཚོང་ལས་ཀྱི་ཁེ་བཟང་།", "business income"),
    "property": ("财产净收入", "རྒྱུ་ནོར་གྱི་འབབ་འབྲས།", "property income"),
    "transfer": ("转移净收入", "སྤོ་སྒྱུར་འབབ་འབྲས།", "transfers"),
    "pension": ("养老金", "རྒན་གསོའི་ཕོགས།", "pension"),
    "exempt": ("不计入的收入", "རྩིས་མི་རྒྱག་པའི་འབབ་འབྲས།", "exempt income"),
}
PAYMENT_KINDS: Final[dict[str, Label]] = {
    "dibao": ("低保金", "མཐིལ་འགན་དངུལ།", "低保 benefit"),
    "tekun": ("特困供养金", "དཀའ་ངལ་ཆེས་ཆེ་བའི་འཚོ་སྐྱོང་དངུལ།", "特困 support"),
    "temporary": ("临时救助金", "གནས་སྐབས་རོགས་དངུལ།", "temporary assistance"),
    "disability_living": (
        "困难残疾人生活补贴",
        "དབང་པོ་སྐྱོན་ཅན་གྱི་འཚོ་བའི་རོགས་དངུལ།",
        "disability living subsidy",
    ),
    "disability_nursing": (
        "重度残疾人护理补贴",
        "དབང་པོ་སྐྱོན་ཅན་གྱི་བདག་སྐྱོང་རོགས་དངུལ།",
        "disability nursing subsidy",
    ),
    "elderly": ("高龄老人补贴", "ལོ་ན་རྒན་པའི་རྒན་པོའི་རོགས་དངུལ།", "old-age allowance"),
    "orphan": ("孤儿基本生活费", "ཕ་མ་མེད་པའི་ཕྲུ་གུའི་འཚོ་བའི་འགྲོ་གྲོན།", "orphan allowance"),
}
CARE_LEVELS: Final[dict[str, Label]] = {
    "self_care": ("全自理", "རང་འཚོ་ནུས་པ།", "self-care"),
    "partial": ("半护理", "ཕྱེད་ཀ་བདག་སྐྱོང་།", "partial care"),
    "full": ("全护理", "ཡོངས་རྫོགས་བདག་སྐྱོང་།", "full care"),
}
ASSET_KINDS: Final[dict[str, Label]] = {
    "deposits": ("存款", "གཏམ་ཉར་དངུལ།", "deposits"),
    "securities": ("有价证券", "རིན་ཐང་ལྡན་པའི་ཡིག་ཆ།", "securities"),
    "other_financial": ("其他金融资产", "དངུལ་རྩའི་རྒྱུ་ནོར་གཞན།", "other financial assets"),
}
EXPENSE_KINDS: Final[dict[str, Label]] = {
    "medical": ("医疗", "སྨན་བཅོས།", "medical"),
    "education": ("教育", "སློབ་གསོ།", "education"),
    "rehabilitation": ("康复", "སླར་གསོ།", "rehabilitation"),
    "accident": ("意外事故", "གློ་བུར་དོན་རྐྱེན།", "accident"),
}
