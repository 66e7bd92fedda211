"""Labels of the data's codes: every enum value (zh, en), and the names a report shows beside a value
(evidence, parameters, parameter-table columns, profiles) that are not fields of a record.

The record models (checker/data/models.py) take their enum values and Chinese input forms from
`ENUM_ZH` here, so the words a user types and the words a report prints are one table. Field labels
stay declared with each model field (they are the contract's Chinese column names); a report reads
them through `checker.data.models.field_labels`.
"""

from __future__ import annotations

from typing import Any

# enum -> value -> (中文, English). The Chinese label is also an accepted input form.
ENUM_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "level": {"central": ("中央", "central"), "provincial": ("省级", "provincial"), "municipal": ("市级", "municipal"),
              "county": ("县级", "county"), "township": ("乡级", "township")},
    "org_kind": {"party_group": ("党组", "party group"), "party_committee": ("党委", "party committee"),
                 "general_branch": ("党总支", "general branch"), "branch": ("党支部", "party branch")},
    "rank": {"minister": ("正部", "minister"), "vice_minister": ("副部", "vice-minister"),
             "bureau": ("正厅局", "bureau head"), "vice_bureau": ("副厅局", "deputy bureau head"),
             "division": ("正处", "division head"), "vice_division": ("副处", "deputy division head"),
             "section": ("正科", "section head"), "vice_section": ("副科", "deputy section head"),
             "staff": ("科员及以下", "staff")},
    "role": {"secretary": ("书记", "secretary"), "deputy": ("分管领导", "supervising leader"),
             "discipline": ("纪委书记", "discipline officer")},
    "vehicle_kind": {"confidential_courier": ("机要通信", "confidential courier"), "emergency": ("应急保障", "emergency"),
                     "enforcement": ("执法执勤", "law enforcement"), "special": ("特种专业技术", "special technical"),
                     "other": ("其他", "other")},
    "meeting_kind": {
        "party_group_meeting": ("党组会议", "party group meeting"),
        "integrity_special_study": ("专题研究党建暨党风廉政建设", "special study of Party building and integrity"),
        "theory_group_study": ("理论学习中心组学习", "theory study group session"),
        "monthly_study": ("每月一学", "monthly study"),
        "branch_general_meeting": ("支部党员大会", "branch general meeting"),
        "branch_committee": ("支部委员会", "branch committee meeting"),
        "party_group_small": ("党小组会", "Party small-group meeting"), "party_lecture": ("党课", "Party lecture"),
        "theme_party_day": ("主题党日", "theme Party day"), "organisational_life": ("组织生活会", "organisational life meeting"),
        "democratic_life": ("民主生活会", "democratic life meeting"),
        "member_appraisal": ("民主评议党员", "democratic appraisal of members"),
        "key_task_hearing": ("听取重点工作汇报", "hearing on key tasks"),
        "warning_education": ("警示教育", "warning education"), "integrity_lecture": ("廉政教育课", "integrity lecture"),
        "comprehensive_work_meeting": ("综合性工作会议", "comprehensive work meeting"),
        "relay_meeting": ("传达会议", "relay meeting"), "other": ("其他会议", "other meeting")},
    "report_kind": {"half_year_work": ("半年工作报告", "half-year work report"),
                    "annual_main_responsibility": ("主体责任年度报告", "annual main-responsibility report"),
                    "personal_matters": ("个人有关事项", "personal matters report"),
                    "major_matter": ("重大事项请示报告", "major-matter report"),
                    "rectification_progress": ("整改进展", "rectification progress")},
    "venue": {"canteen": ("内部食堂", "canteen"), "hotel": ("宾馆", "hotel"), "restaurant": ("餐厅", "restaurant"),
              "private_club": ("私人会所", "private club"), "entertainment": ("娱乐场所", "entertainment venue")},
    "payment": {"official_card": ("公务卡", "official card"), "transfer": ("转账", "bank transfer"), "cash": ("现金", "cash")},
    "mode": {"air": ("飞机", "air"), "hsr": ("高铁动车", "high-speed rail"), "train": ("火车", "train"),
             "ship": ("轮船", "ship"), "other": ("其他", "other")},
    "seat_class": {"first": ("头等舱", "first class"), "business": ("公务舱", "business class"),
                   "economy": ("经济舱", "economy class"), "hsr_business": ("商务座", "high-speed rail business seat"),
                   "hsr_first": ("一等座", "high-speed rail first class"),
                   "hsr_second": ("二等座", "high-speed rail second class"), "soft_sleeper": ("软卧", "soft sleeper"),
                   "soft_seat": ("软座", "soft seat"), "hard_sleeper": ("硬卧", "hard sleeper"),
                   "hard_seat": ("硬座", "hard seat"), "ship_first": ("一等舱", "ship first class"),
                   "ship_second": ("二等舱", "ship second class"), "ship_third": ("三等舱", "ship third class"),
                   "other": ("其他", "other")},
    "lecturer_title": {"associate": ("副高级", "associate professor level"), "full": ("正高级", "full professor level"),
                       "academician": ("院士", "academician")},
    "purpose": {"official": ("公务", "official"), "private": ("私用", "private"), "commute": ("上下班", "commuting")},
    "fuel_type": {"petrol": ("汽油", "petrol"), "diesel": ("柴油", "diesel"), "electric": ("电", "electric")},
    "gift_kind": {"gift": ("礼品", "gift"), "cash": ("礼金", "cash gift"), "securities": ("有价证券", "securities"),
                  "voucher": ("购物卡", "shopping card"), "red_packet": ("红包", "red packet"),
                  "specialty": ("土特产", "local specialty")},
    "event_kind": {"wedding": ("婚", "wedding"), "funeral": ("丧", "funeral"), "birthday": ("寿", "birthday"),
                   "other": ("其他", "other"), "birth": ("生育满月", "birth or first month"),
                   "graduation": ("升学", "school admission"), "housewarming": ("乔迁", "housewarming"),
                   "opening": ("落成开业", "opening"), "promotion": ("调动升迁", "transfer or promotion")},
    "action_kind": {"promotion": ("提拔", "promotion"), "appointment": ("任命", "appointment"), "hire": ("招录", "hire"),
                    "transfer_in": ("调入", "transfer in")},
    "disposal_kind": {"transfer": ("划转", "transfer"), "sale": ("出售", "sale"), "write_off": ("核销", "write-off"),
                      "lend": ("出借", "loan")},
    "secrecy_level": {"secret": ("秘密", "secret"), "confidential": ("机密", "confidential"),
                      "top_secret": ("绝密", "top secret")},
    "channel": {"secure": ("保密渠道", "secure channel"), "internet": ("互联网", "internet"), "email": ("电子邮件", "e-mail"),
                "instant_messaging": ("即时通信", "instant messaging"), "removable_media": ("移动介质", "removable media"),
                "post": ("普通邮寄", "ordinary post")},
    "task_kind": {"inspection_rectification": ("巡察整改", "inspection rectification"),
                  "three_cases": ("三个以案", "\"three cases\" education"),
                  "democratic_life": ("民主生活会整改", "democratic-life rectification"),
                  "audit": ("审计整改", "audit rectification"), "work_plan": ("工作任务", "work plan task")},
    # --- the cross-record patterns' ledgers (issue 17)
    "invoice_category": {"catering": ("餐饮", "catering"), "lodging": ("住宿", "lodging"), "gift": ("礼品", "gift"),
                         "shopping_card": ("购物卡", "shopping card"), "tobacco_liquor": ("烟酒", "tobacco and liquor"),
                         "specialty": ("土特产", "local specialty"), "fuel": ("加油", "fuel"),
                         "repair": ("维修", "repair"), "toll": ("通行费", "toll"), "parking": ("停车费", "parking"),
                         "ticket": ("门票", "admission ticket"), "transport": ("交通费", "transport"),
                         "office": ("办公用品", "office supplies"), "other": ("其他", "other")},
    "merchant_kind": {"restaurant": ("餐厅", "restaurant"), "hotel": ("宾馆", "hotel"),
                      "canteen": ("内部食堂", "staff canteen"), "farmhouse": ("农家乐", "farm restaurant"),
                      "private_club": ("私人会所", "private club"), "entertainment": ("娱乐场所", "entertainment venue"),
                      "department_store": ("商场超市", "department store"),
                      "liquor_shop": ("烟酒商行", "tobacco and liquor shop"),
                      "specialty_shop": ("土特产店", "local specialty shop"), "gas_station": ("加油站", "filling station"),
                      "repair_shop": ("汽修厂", "garage"), "scenic_spot": ("旅游景区", "tourist site"),
                      "travel_agency": ("旅行社", "travel agency"), "other": ("其他", "other")},
    "body": {"sedan": ("轿车", "saloon"), "small_bus": ("其他小型客车", "small bus"),
             "medium_bus": ("中型客车", "medium bus"), "large_bus": ("大型客车", "large bus"),
             "suv": ("越野车", "off-road vehicle"), "truck": ("货车", "truck"),
             "special_purpose": ("专用作业车", "special-purpose vehicle")},
    "room_type": {"standard": ("标准间", "standard room"), "single": ("单间", "single room"),
                  "suite": ("普通套间", "suite"), "deluxe_suite": ("豪华套间", "deluxe suite")},
    "toll_kind": {"toll": ("通行费", "toll"), "etc": ("电子不停车收费", "ETC toll"), "parking": ("停车费", "parking")},
    "maintenance_kind": {"repair": ("维修", "repair"), "service": ("保养", "service"), "tyre": ("轮胎", "tyres"),
                         "parts": ("配件", "parts"), "wash": ("洗车美容", "car wash and detailing"),
                         "other": ("其他", "other")},
    "host_kind": {"client": ("管理服务对象", "party under the unit's management or service"),
                  "subordinate_unit": ("下属单位", "subordinate unit"), "enterprise": ("企业", "enterprise"),
                  "individual": ("个人", "individual"), "other": ("其他", "other")},
    "hosted_kind": {"banquet": ("宴请", "banquet"), "tourism": ("旅游", "sightseeing trip"),
                    "fitness": ("健身", "fitness"), "entertainment": ("娱乐场所", "entertainment venue"),
                    "other": ("其他", "other")},
    "allowance_kind": {"festival_condolence": ("节日慰问", "festival condolence payment"),
                       "subsidy": ("津贴补贴", "allowance"), "bonus": ("奖金", "bonus"), "welfare": ("福利", "welfare"),
                       "traffic_subsidy": ("交通补贴", "transport allowance"), "other": ("其他", "other")},
}

ENUM_ZH: dict[str, dict[str, str]] = {name: {v: zh for v, (zh, _) in values.items()}
                                      for name, values in ENUM_LABELS.items()}


def enum_label(enum: str, value: Any, lang: str) -> str:
    """The label of one value of one enum; an unknown value comes back as it is."""
    labels = ENUM_LABELS.get(enum, {}).get(str(value))
    if labels is None:
        return "" if value is None else str(value)
    return labels[0] if lang == "zh" else labels[1]


def any_enum_label(value: Any, lang: str) -> str:
    """The label of a code whose enum is not known (a parameter's list of codes): the first enum
    that has it."""
    for name in ENUM_LABELS:
        if str(value) in ENUM_LABELS[name]:
            return enum_label(name, value, lang)
    return str(value)


# Names a finding's evidence uses that are not a field of its record (a field is labelled by its model).
EVIDENCE_LABELS: dict[str, tuple[str, str]] = {
    "days_open": ("立案至今天数", "days since the case was opened"),
    "review_days": ("立案至一案双查天数", "days from case to review"),
    "window_days": ("警示教育时限（天）", "warning-education window (days)"),
    "person_days": ("人·天数（含工作人员）", "person-days (staff included)"),
    "cap": ("标准上限", "cap"), "standard_cap": ("伙食补助标准", "meal allowance cap"),
    "high_region_cap": ("西藏、青海、新疆标准", "cap in Tibet, Qinghai, Xinjiang"),
    "december": ("12月支出", "December spending"), "monthly_average": ("1—11月月均支出", "Jan–Nov monthly average"),
    "ban_from": ("禁酒起始日期", "alcohol ban since"), "first_trip": ("第一次出差", "first trip"),
    "second_trip": ("第二次出差", "second trip"), "tank": ("油箱容积（升）", "tank (litres)"),
    "vehicle_fuel": ("车辆燃料", "vehicle's fuel"), "first": ("第一条记录", "first record"),
    "second": ("第二条记录", "second record"), "litres_first": ("第一次加油（升）", "first fill (litres)"),
    "litres_second": ("第二次加油（升）", "second fill (litres)"), "threshold": ("集体决策标准", "collective-decision threshold"),
    "days_before_end": ("距改革结束天数", "days before the reform ended"),
    "days_before_reform": ("距改革开始天数", "days before the reform began"),
    "days_overdue": ("逾期天数", "days overdue"), "quota": ("核定数", "approved number"), "over": ("超出数", "excess"),
    "approved": ("核定内设机构数", "approved internal bodies"), "person_rank": ("职级", "rank"),
    "unit_level": ("单位层级", "unit level"), "vehicle_count": ("登记车辆数", "vehicles registered"),
    "days_to_hand_in": ("收受至上交天数", "days to hand in"), "days_late": ("逾期天数", "days late"),
    "publicity_workdays": ("公示工作日数", "publicity working days"), "days": ("天数", "days"),
    "as_of": ("核查基准日", "as of"), "repeat_of": ("一年内重复发生（前次问题）", "repeat of (earlier finding)"),
    "repeat_days": ("距前次问题天数", "days since the earlier finding"),
}

# Parameters (numbers of a rule, set by it or by a profile) and the columns of parameter tables.
PARAMETER_LABELS: dict[str, tuple[str, str]] = {
    "emergency_bus_displacement_l": ("应急保障客车排气量参考上限（升）", "emergency bus displacement reference cap (L)"),
    "emergency_bus_price_fen": ("应急保障客车价格参考上限", "emergency bus price reference cap"),
    "emergency_sedan_displacement_l": ("应急保障轿车排气量参考上限（升）", "emergency sedan displacement reference cap (L)"),
    "emergency_sedan_price_fen": ("应急保障轿车价格参考上限", "emergency sedan price reference cap"),
    "enforcement_bus_displacement_l": ("执法执勤客车排气量上限（升）", "enforcement bus displacement cap (L)"),
    "enforcement_bus_price_fen": ("执法执勤客车价格上限", "enforcement bus price cap"),
    "enforcement_sedan_displacement_l": ("执法执勤轿车排气量上限（升）", "enforcement sedan displacement cap (L)"),
    "enforcement_sedan_price_fen": ("执法执勤轿车价格上限", "enforcement sedan price cap"),
    "large_bus_price_fen": ("大型客车价格上限", "large bus price cap"),
    "family_event_gift_window_days": ("婚丧喜庆前后收礼检测期（天）", "days around a family event in which gifts count"),
    "festival_window_days": ("节日前后检测期（天）", "days around a festival that count as its season"),
    "festival_condolence_cap_year_fen": ("每人每年节日慰问本地标准", "local yearly cap on festival condolences per person"),
    "fixed_car_min_rank_level": ("可固定配车的最低职级", "lowest rank entitled to a fixed car"),
    "premium_liquor_brands": ("高档白酒品牌", "premium liquor brands"),
    "premium_liquor_unit_price_fen": ("高档酒水单价标准（每瓶）", "premium liquor price per bottle"),
    "prohibited_family_event_kinds": ("本地禁止操办的喜庆事宜", "celebrations the local rule forbids"),
    "prohibited_family_event_min_rank_level": ("本地禁令适用的最低职级", "lowest rank the local ban binds"),
    "reception_meal_cap_fen": ("本地接待餐费标准（每人每餐）", "local reception meal cap per diner and meal"),
    "relay_pattern_min": ("以会议贯彻会议的认定次数", "relay meetings that make a pattern"),
    "task_pattern_min": ("逾期任务的认定项数", "overdue tasks that make a pattern"),
    "working_day_from_minute": ("工作日出车起始时间（零点后分钟）", "working-day start (minutes after midnight)"),
    "working_day_until_minute": ("工作日收车截止时间（零点后分钟）", "working-day end (minutes after midnight)"),
    "alcohol_ban_from": ("禁酒起始日期", "alcohol ban since"),
    "bathroom_cap_m2": ("卫生间面积上限（平方米）", "bathroom cap (m²)"),
    "bathroom_entitled": ("可配备卫生间的职务", "posts entitled to a bathroom"),
    "case_review_days": ("一案双查时限（天）", "accountability review limit (days)"),
    "collective_decision_kinds": ("集体决策会议类型", "collective decision meeting kinds"),
    "collective_threshold": ("“三重一大”集体决策金额标准", "collective-decision threshold"),
    "conference_quotas": ("会议费综合定额", "conference quotas"),
    "conference_size_caps": ("会议规模上限", "conference size caps"),
    "courier_displacement_cap_l": ("机要通信用车排气量上限（升）", "courier vehicle displacement cap (L)"),
    "courier_nev_price_cap_fen": ("新能源机要通信用车价格上限", "new-energy courier vehicle price cap"),
    "courier_price_cap_fen": ("机要通信用车价格上限", "courier vehicle price cap"),
    "december_ratio": ("12月支出与月均之比上限", "December to monthly-average ratio"),
    "document_max_chars": ("文件字数上限", "document length cap (characters)"),
    "family_event_max_guests": ("婚丧喜庆宴请人数上限", "family event guest cap"),
    "family_event_max_tables": ("婚丧喜庆宴席桌数上限", "family event table cap"),
    "funeral_report_days": ("丧事补报时限（天）", "funeral report limit (days)"),
    "h2_integrity_lecture_count": ("下半年廉政教育课次数", "integrity lectures in the second half"),
    "h2_warning_education_count": ("下半年警示教育次数", "warning-education sessions in the second half"),
    "half_year_report_due_days": ("半年工作报告报送时限（天）", "half-year report deadline (days)"),
    "hand_in_days": ("礼品上交时限（天）", "hand-in limit (days)"),
    "hotel_caps": ("住宿费限额", "hotel caps"),
    "integrity_study_per_half": ("每半年专题研究次数", "special studies per half-year"),
    "key_task_hearing_grace_days": ("听取汇报宽限（天）", "hearing grace (days)"),
    "key_task_hearings_per_quarter": ("每季度听取汇报次数", "hearings per quarter"),
    "large_group_ratio": ("陪餐人数比例（接待对象的几分之一）", "escort ratio (one in N guests)"),
    "lecture_fee_caps": ("讲课费标准", "lecture fee caps"),
    "local_transport_rate_fen": ("市内交通费包干标准（每天）", "local transport flat rate (per day)"),
    "main_responsibility_report_due_days": ("主体责任报告报送时限（天）", "main-responsibility report deadline (days)"),
    "major_matter_report_due_days": ("重大事项综合报告报送时限（天）", "major-matter report deadline (days)"),
    "max_days": ("会期上限（天）", "conference length cap (days)"),
    "max_days_briefing": ("传达布置类会议会期上限（天）", "briefing length cap (days)"),
    "max_working_meals": ("工作餐次数上限", "working meals allowed"),
    "meal_rate_fen": ("伙食补助标准（每天）", "meal allowance rate (per day)"),
    "meal_rate_high_fen": ("西藏、青海、新疆伙食补助标准（每天）", "meal allowance rate in Tibet, Qinghai, Xinjiang"),
    "office_caps": ("办公室面积标准", "office area standards"),
    "party_lecture_per_quarter": ("每季度党课次数", "Party lectures per quarter"),
    "party_lecture_per_year": ("每年党课次数", "Party lectures per year"),
    "party_lecture_quarterly_grace_days": ("党课宽限（天）", "Party lecture grace (days)"),
    "publicity_min_workdays": ("任前公示最少工作日", "minimum publicity (working days)"),
    "quota_2013_cat1_fen": ("一类会议综合定额（2013年，每人每天）", "category 1 quota, 2013 (per person-day)"),
    "quota_cat1_fen": ("一类培训综合定额（每人每天）", "category 1 training quota (per person-day)"),
    "quota_cat3_fen": ("三类培训综合定额（每人每天）", "category 3 training quota (per person-day)"),
    "training_quota_cat2_fen": ("二类培训综合定额（每人每天）", "category 2 training quota (per person-day)"),
    "reform_rush_days": ("机构改革前后突击期（天）", "reform rush window (days)"),
    "seat_limits": ("交通工具等级标准", "travel class limits"),
    "shift_due_to_workday": ("截止日遇节假日顺延", "deadline moves to the next working day"),
    "small_group": ("小规模接待人数上限", "small reception (guests)"),
    "small_group_escorts": ("陪餐人数上限", "escorts allowed"),
    "warning_education_days": ("警示教育时限（天）", "warning-education window (days)"),
    # parameter-table columns
    "banned": ("不得乘坐", "not allowed"), "cap_fen": ("限额（每晚）", "cap (per night)"),
    "cap_m2": ("面积上限（平方米）", "area cap (m²)"), "categories": ("会议类别", "categories"),
    "category": ("会议类别", "category"), "levels": ("单位层级", "unit levels"), "unit_level": ("单位层级", "unit level"),
    "max_attendees": ("参会人数上限", "attendee cap"), "max_fen_per_hour": ("每学时上限", "cap per hour"),
    "min_level": ("职级下限（1—9级）", "lowest rank level (1–9)"), "max_level": ("职级上限（1—9级）", "highest rank level (1–9)"),
    "min_rank_level": ("职级下限（1—9级）", "lowest rank level (1–9)"),
    "max_rank_level": ("职级上限（1—9级）", "highest rank level (1–9)"),
    "places": ("城市", "cities"), "quota_fen": ("综合定额（每人每天）", "quota (per person-day)"),
    "title": ("讲师职称", "lecturer title"),
}
# Meeting obligations: `<kind>_per_<period>` and `<kind>_grace_days`, labelled from the meeting kind.
_PER = {"month": ("每月", "per month"), "quarter": ("每季度", "per quarter"), "half": ("每半年", "per half-year"),
        "year": ("每年", "per year")}
# Codes a parameter (or a parameter-table column) holds, by the enum they come from.
PARAMETER_ENUMS = {"collective_decision_kinds": "meeting_kind", "banned": "seat_class", "title": "lecturer_title",
                   "levels": "level", "unit_level": "level"}


def parameter_label(name: str, lang: str) -> str:
    index = 0 if lang == "zh" else 1
    if name in PARAMETER_LABELS:
        return PARAMETER_LABELS[name][index]
    kind, _, period = name.rpartition("_per_")
    if kind and period in _PER and kind in ENUM_LABELS["meeting_kind"]:
        return (f"{_PER[period][0]}{enum_label('meeting_kind', kind, 'zh')}次数" if lang == "zh"
                else f"{enum_label('meeting_kind', kind, 'en')}s {_PER[period][1]}")
    if name.endswith("_grace_days") and name[:-len("_grace_days")] in ENUM_LABELS["meeting_kind"]:
        kind = name[:-len("_grace_days")]
        return (f"{enum_label('meeting_kind', kind, 'zh')}宽限（天）" if lang == "zh"
                else f"{enum_label('meeting_kind', kind, 'en')} grace (days)")
    return name if lang == "en" else "参数"


def evidence_label(name: str, lang: str) -> str | None:
    labels = EVIDENCE_LABELS.get(name)
    return None if labels is None else labels[0 if lang == "zh" else 1]
