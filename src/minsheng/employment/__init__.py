"""Employment services (就业服务): job seekers filed from the registry, employers' hire
filings and vacancies, precision matching that explains itself, job fairs with
booths and check-in, the digital gig market, vocational training, and one-to-one
help for hard-to-employ people."""

from minsheng.programmes import Link, Programme, Text

AREAS = ("seeker", "vacancy", "match", "fair", "gig", "training", "help")

PROGRAMME = Programme(
    name="employment",
    title=Text("就业服务", "ལས་ཞུགས་ཞབས་ཞུ།", "Employment services"),
    summary=Text(
        "求职登记、用工备案、精准推介、招聘会、零工市场、职业培训、就业援助",
        "ལས་འཚོལ་མཁན། ལས་བེད་སྤྱོད་མཁན། ཆ་སྙོམས། ལས་ཀའི་འཚོང་འདུས། གནས་སྐབས་ལས་ཀ། སྦྱོང་བརྡར། ལས་ཞུགས་རོགས་རམ།",
        "Job seekers, employers, matching, job fairs, gig market, training, one-to-one help",
    ),
    rank=50,
    api=tuple(f"minsheng.employment.{a}_api:router" for a in AREAS),
    pages=tuple(f"minsheng.employment.{a}_pages:router" for a in AREAS),
    cli=(("employment", "minsheng.employment.cli:app"),),
    models="minsheng.employment.models",
    permissions={
        # employment:read / :write — the caseworker's desk (seekers, vacancies under review,
        # fairs, training, help plans) in their region; employment:run — a supervisor's
        # approvals and take-downs; employment:employer — an employer's recruiter's desk, scoped
        # to the employer the user acts for (minsheng.auth.employers); self:jobs — a citizen's
        # own seeker record, applications, fair check-in, gigs and training.
        "citizen": frozenset({"self:jobs"}),
        "caseworker": frozenset({"employment:read", "employment:write"}),
        "supervisor": frozenset({"employment:read", "employment:write", "employment:run"}),
        "employer": frozenset({"employment:employer"}),
        "auditor": frozenset({"employment:read"}),
    },
    desks=(
        Link(
            "/employment/seekers",
            Text("求职登记", "ལས་འཚོལ་ཐོ་འགོད།", "Job seekers"),
            "employment:read",
            50,
        ),
        Link(
            "/employment/vacancies",
            Text("岗位审核", "ལས་གནས་ཞིབ་བཤེར།", "Vacancies"),
            "employment:read",
            51,
        ),
        Link(
            "/employment/employer",
            Text("单位招聘", "ཚོང་ཁང་གི་ལས་མི་འདེམས་སྒྲུག", "Our vacancies and hires"),
            "employment:employer",
            52,
        ),
        Link(
            "/employment/fairs",
            Text("招聘会", "ལས་ཀའི་འཚོང་འདུས།", "Job fairs"),
            "employment:read",
            53,
        ),
        Link(
            "/employment/gigs",
            Text("零工市场", "གནས་སྐབས་ལས་ཀའི་ཁྲོམ།", "Gig market"),
            "employment:read",
            54,
        ),
        Link(
            "/employment/training",
            Text("职业培训", "ལས་རིགས་སྦྱོང་བརྡར།", "Training"),
            "employment:read",
            55,
        ),
        Link(
            "/employment/help",
            Text("就业援助", "ལས་ཞུགས་རོགས་རམ།", "One-to-one help"),
            "employment:read",
            56,
        ),
        Link(
            "/employment/statistics",
            Text("就业统计", "ལས་ཞུགས་སྡོམ་རྩིས།", "Employment statistics"),
            "employment:read",
            57,
        ),
    ),
    panels=(
        Link("/me/jobs", Text("我的求职", "ངའི་ལས་འཚོལ།", "My job search"), "self:jobs", 50),
        Link("/me/gigs", Text("我的零工", "ངའི་གནས་སྐབས་ལས་ཀ", "My gigs"), "self:jobs", 51),
        Link("/me/training", Text("我的培训", "ངའི་སྦྱོང་བརྡར།", "My training"), "self:jobs", 52),
    ),
    parameters=("employment.",),
)
