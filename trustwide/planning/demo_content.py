"""Words for the demo: the trust strategic plan modelled on a real MAT's MSP1-MSP12 (seed 004),
and a pool of school priorities with actions and success criteria."""

LEARNERS, LEADERS, COMMUNITIES, BUSINESS = (
    "SMART learners",
    "SMART leaders",
    "SMART communities",
    "Business improvement",
)

# number, title, theme, narrative, long-term goal, strategies, lead officers,
# pocket guide headline, focus (learning, leadership, parental)
MSP = [
    (
        1,
        "Removing disadvantage",
        LEARNERS,
        "Disadvantaged children should achieve at least as much as their peers in all our schools; inequity harms "
        "life chances and the prosperity of the region.",
        "All children make excellent progress in all our schools each year regardless of their starting point.",
        [
            "Restructure pupil premium budgets to invest earlier and engage families",
            "Education welfare service brought in-house with assertive follow-up",
            "Common assessment across the trust for sharper gap analysis",
            "Action research approach to any funding aimed at closing a gap",
        ],
        "Director of education; headteachers",
        "Good progress in learning for ALL",
        (True, False, True),
    ),
    (
        2,
        "Challenging all, so the most able excel",
        LEARNERS,
        "The region needs divergent thinkers and creative problem solvers; higher-order thinking runs through the curriculum.",
        "All children are challenged to think more deeply, and our most able pupils excel.",
        [
            "Longer-term opportunities for higher-order thinking",
            "Student expert teams teach their peers",
            "A mastery approach that reads around the subject",
        ],
        "Executive headteachers",
        "Question deeply for understanding",
        (True, True, True),
    ),
    (
        3,
        "Personalise learning for all",
        LEARNERS,
        "Learning works best when skills and content develop together and challenge is right for each learner.",
        "Outstanding outcomes alongside wider skills, wellbeing and independence for every pupil.",
        [
            "Analysis of observation data to see patterns",
            "Six-week interventions on essential skills",
            "Skills-focused KPIs tracked for governors",
        ],
        "Director of education",
        "Broad balance including skills and knowledge",
        (True, False, True),
    ),
    (
        4,
        "Developing leaders at all levels",
        LEADERS,
        "Strong leadership and succession planning are the brain of the organisation.",
        "Every post that falls vacant has several strong internal candidates.",
        [
            "Leadership assessed through appraisal",
            "Shadowing and step-ups for succession",
            "Funded NPQ qualifications with a follow-up project",
        ],
        "CEO; executive headteachers",
        "Active coaching by all middle leaders",
        (True, True, False),
    ),
    (
        5,
        "Support excellent governance",
        LEADERS,
        "Governors need training and support to hold schools and the trust to account.",
        "All governor places filled, meetings well attended and a published training route for governors.",
        [
            "Annual 360 review for every governing board",
            "Link governor training across schools",
            "KPIs for governor participation monitored",
        ],
        "CEO; clerk to the trust",
        "Training, expectations and challenge",
        (False, True, False),
    ),
    (
        6,
        "Inspire improved teaching",
        LEADERS,
        "Quality of teaching is the most significant determinant of progress.",
        "Common standards for teaching quality and no subject operating below national average.",
        [
            "Common standards of excellence for teachers and TAs",
            "STAR action research projects published",
            "Supportive intervention for all work below the minimum standard",
        ],
        "Director of education",
        "Critical friends, sharing and peer review",
        (False, True, False),
    ),
    (
        7,
        "Grow sustainably",
        COMMUNITIES,
        "We expand only when we have the capacity and the match of vision and values is right.",
        "The trust of choice for the area, with the stability to support others.",
        ["Risk/benefit analysis of new proposals", "Track record of school improvement evidenced"],
        "CEO",
        "Building capacity ahead of growth",
        (False, True, False),
    ),
    (
        8,
        "Schools as community hubs",
        COMMUNITIES,
        "Each school keeps its own strong community identity within the trust.",
        "Frequent, effective links with parents and community groups in every school.",
        [
            "Shared web services that inform parents of their child's success",
            "More community events hosted",
        ],
        "Headteachers",
        "Active child citizens, parents engaged",
        (False, False, True),
    ),
    (
        9,
        "Grow partnership networks",
        COMMUNITIES,
        "Effective partnerships with neighbouring trusts, teaching school hubs and companies.",
        "Multiple partners integrated into our training plans.",
        [
            "Training routes for apprentices and new teachers",
            "A catalogue of services shared with neighbours",
        ],
        "CEO",
        "Outward-facing alliances, local and global",
        (False, True, False),
    ),
    (
        10,
        "Robust policy framework",
        BUSINESS,
        "Policies state exactly how we have agreed to operate.",
        "Every policy consulted on, regularly reviewed and correctly applied.",
        ["A defined review cycle for all policies", "Policies attached to specific roles"],
        "Chief operating officer",
        "All legal, agreed and reflecting practice",
        (False, False, False),
    ),
    (
        11,
        "Estates rolling programme",
        BUSINESS,
        "Buildings and capital resources kept safe and of high quality.",
        "All capital resources surveyed and maintained through a rolling programme.",
        [
            "Rolling programme of repair and renewal backed by surveys",
            "A single ICT team and estates team",
        ],
        "Chief operating officer",
        "Five-year capital process, buildings and ICT",
        (False, False, False),
    ),
    (
        12,
        "Business management services approach",
        BUSINESS,
        "Clarity over responsibilities across one organisation on many sites.",
        "A business management services contract covering all services and roles.",
        [
            "Regular audits for compliance",
            "All school budgets at zero deficit, building to a 6% reserve",
        ],
        "Chief operating officer",
        "Progress in all areas of the services contract",
        (False, False, False),
    ),
]

INDICATORS = {
    "y1_2": [
        "Baseline set for every school and reported to the board",
        "Each school's plan carries the priority",
    ],
    "y2_4": ["The measure improves year on year in most schools"],
    "y5": ["Every school at or above the national figure"],
}

# Pool of school priorities: title, linked MSP numbers, rationale, outcomes,
# actions (what, budget line, cost, staff days), criteria (description, measure, kind, baseline, target)
SCHOOL_PRIORITIES = [
    (
        "Close the reading gap for disadvantaged pupils",
        [1, 3],
        "SEF: disadvantaged pupils' reading attainment is well below others in Key Stage 2.",
        "Disadvantaged pupils read fluently and at the expected standard by the end of Year 6.",
        [
            (
                "Daily phonics catch-up for Year 2-3 pupils who did not pass the check",
                "Pupil premium",
                3200,
                10,
            ),
            ("Reading fluency training for all teaching assistants", "CPD", 1500, 4),
            ("Family reading mornings each half term", "Pupil premium", 600, 3),
        ],
        [
            (
                "Disadvantaged pupils at the expected standard in KS2 reading rise from {b}% to {t}%",
                "% of disadvantaged pupils at expected standard, KS2 reading",
                "percentage",
                52,
                66,
            ),
            (
                "Gap between disadvantaged pupils and others in reading narrows to {t} points",
                "Gap in percentage points, KS2 reading",
                "number",
                21,
                12,
            ),
        ],
    ),
    (
        "Raise attainment in mathematics across Key Stage 2",
        [2, 6],
        "SEF: maths progress is below national; arithmetic is the weakest paper.",
        "Pupils recall number facts fluently and reason mathematically.",
        [
            ("Introduce a daily 15-minute fluency session in every class", "Resources", 900, 2),
            ("Maths lead coaches two teachers per term", "Staffing", 2400, 12),
            ("Cross-trust moderation of maths books", "CPD", 400, 2),
        ],
        [
            (
                "Pupils at the expected standard in KS2 maths rise from {b}% to {t}%",
                "% at expected standard, KS2 maths",
                "percentage",
                64,
                75,
            ),
            (
                "Pupils scoring 100% in the multiplication tables check rise to {t}%",
                "% of Year 4 with full marks, MTC",
                "percentage",
                27,
                40,
            ),
        ],
    ),
    (
        "Improve attendance and reduce persistent absence",
        [1, 8],
        "Data: persistent absence is above national, highest among disadvantaged pupils.",
        "Pupils attend well and families see the school as a partner.",
        [
            ("Weekly attendance panel with the education welfare officer", "Staffing", 1800, 8),
            (
                "First-day calling and home visits for persistent absentees",
                "Pupil premium",
                2500,
                15,
            ),
            ("Termly attendance awards and family assemblies", "Resources", 300, 1),
        ],
        [
            (
                "Persistent absence falls from {b}% to {t}%",
                "% of pupils persistently absent",
                "percentage",
                19,
                12,
            ),
            ("Overall attendance rises to {t}%", "% attendance", "percentage", 93, 96),
        ],
    ),
    (
        "Develop middle leaders as the engine room of improvement",
        [4, 6],
        "Subject leaders are new to post; deep dives showed uneven curriculum knowledge.",
        "Every subject leader can explain the intent and impact of their curriculum.",
        [
            ("Middle leaders complete NPQ in leading teaching", "CPD", 3000, 10),
            ("Termly subject deep dives led by subject leaders", "Staffing", 0, 6),
        ],
        [
            (
                "Subject leaders leading a deep dive rise from {b} to {t}",
                "Number of subject leaders",
                "number",
                2,
                8,
            ),
            (
                "Middle leaders on an NPQ rise from {b} to {t}",
                "Number of middle leaders enrolled",
                "number",
                0,
                3,
            ),
        ],
    ),
    (
        "Inspire consistently good teaching",
        [6],
        "Monitoring: teaching is inconsistent between phases.",
        "Teaching is at least good in every class.",
        [
            ("Instructional coaching for every teacher, fortnightly", "CPD", 2000, 20),
            ("Peer review visits within the triad", "CPD", 500, 3),
            ("Lesson study in Year 5 and 6", "Staffing", 700, 4),
        ],
        [
            (
                "Lessons judged at least good rise from {b}% to {t}%",
                "% of observed lessons at least good",
                "percentage",
                70,
                90,
            )
        ],
    ),
    (
        "Engage parents in their child's learning",
        [8],
        "Pupil and parent voice: few parents feel able to help with homework.",
        "Parents take part in one learning event per term.",
        [
            ("One learning workshop for parents per term", "Resources", 450, 3),
            ("Share weekly learning updates through the school app", "ICT", 0, 1),
        ],
        [
            (
                "Families attending at least one workshop rise from {b}% to {t}%",
                "% of families attending",
                "percentage",
                35,
                60,
            )
        ],
    ),
    (
        "Personalise the curriculum for pupils with SEND",
        [3, 1],
        "SEF: pupils with SEN support make less progress than peers.",
        "Pupils with SEND make progress in line with others from their starting points.",
        [
            ("SENDCo training for teachers on adaptive teaching", "CPD", 1200, 5),
            (
                "Six-week essential skills interventions, reviewed for impact",
                "Pupil premium",
                1600,
                12,
            ),
        ],
        [
            (
                "Pupils with SEN support making expected progress rise from {b}% to {t}%",
                "% of SEN support pupils making expected progress",
                "percentage",
                55,
                70,
            )
        ],
    ),
    (
        "Strengthen governance and challenge",
        [5],
        "Governor skills audit: gaps in data and finance.",
        "Governors ask challenging questions and visit termly with a focus.",
        [
            ("Link governors complete data training", "CPD", 350, 2),
            ("Governor visit programme linked to the plan", "Staffing", 0, 2),
        ],
        [
            (
                "Governor visits with a written report rise from {b} to {t} a year",
                "Number of governor visits",
                "number",
                3,
                9,
            )
        ],
    ),
]

BUSINESS_PRIORITIES = [
    (
        "Bring every school policy into the trust review cycle",
        [10],
        "Policy audit: a third of local policies are past their review date.",
        "Every policy is current, agreed and on the website.",
        [
            ("Audit local policies against the trust library", "Administration", 0, 3),
            ("Publish all agreed policies on the website", "ICT", 0, 1),
        ],
        [
            (
                "Policies past their review date fall from {b} to {t}",
                "Number of policies overdue",
                "number",
                11,
                0,
            )
        ],
    ),
    (
        "Deliver the year's estates and ICT programme",
        [11, 12],
        "Condition survey: roof and heating priorities; laptops past replacement age.",
        "Buildings safe and warm; staff devices replaced on the rolling cycle.",
        [
            ("Replace the heating in the junior block", "Capital", 18500, 2),
            ("Replace 30 staff laptops", "ICT", 14000, 2),
        ],
        [
            (
                "Condition survey priority 1 items outstanding fall from {b} to {t}",
                "Number of P1 items",
                "number",
                4,
                0,
            )
        ],
    ),
]

MONITORING = [
    ("lesson_observation", "Reading and phonics lessons, Years 1 to 3"),
    ("learning_walk", "Maths fluency sessions across Key Stage 2"),
    ("work_scrutiny", "Writing books, Years 4 to 6"),
    ("pupil_voice", "Disadvantaged pupils talk about reading for pleasure"),
    ("deep_dive", "History curriculum intent and sequencing"),
    ("data_review", "Half-termly assessment data by group"),
    ("governor_visit", "Link governor visit on attendance"),
]

FINDINGS = {
    "good": (
        "Pupils were engaged and could explain their learning; routines well established.",
        "Share practice at the next staff meeting.",
    ),
    "mixed": (
        "Strong practice in some classes; questioning less consistent in others.",
        "Coaching focus on questioning for two teachers.",
    ),
    "weak": (
        "Learning time lost to low-level disruption; work not matched to pupils' needs.",
        "Support plan with the trust school-improvement partner; revisit in three weeks.",
    ),
}
