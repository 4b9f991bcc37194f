"""Write input/cooperation.xlsx, the sample workbook, from the five published sources.

The rows below are what a member of staff would type after reading the sources
in shared/seeds/ (see shared/seeds/INDEX.md). Where a source does not state a
date, a year, a place or a value, the cell is left blank and Notes says so.

Run with `make sample`; tests/test_sample.py checks that the committed file is
what this script writes.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reporter.template import write_workbook  # noqa: E402

MEETINGS = [
    {"meeting_id": "M-SUZHOU", "title": "Shanghai–Suzhou science and technology cooperation "
     "signing", "kind": "city", "counterpart": "Suzhou",
     "notes": "Held on 26 October; the source gives no year and no place. The two cities "
     "sealed 193 cooperation projects there."},
    {"meeting_id": "M-HK-FORUM-2024", "title": "2024 Pujiang Innovation Forum: Shanghai–Hong "
     "Kong Science and Technology Innovation Dialogue", "kind": "forum",
     "location": "Hong Kong", "counterpart": "Hong Kong",
     "notes": "The source (SHINE, 29 April 2024) calls it recent but does not give its date."},
    {"meeting_id": "M-G60-2024", "title": "Yangtze River Delta G60 corridor conference on the "
     "innovation ecosystem, and the corridor's joint conference", "kind": "corridor",
     "location": "Songjiang District, Shanghai", "counterpart": "G60 corridor",
     "notes": "The source dates it 24 May without a year; the article itself is dated 24 May "
     "2024. Nine member cities."},
    {"meeting_id": "M-TONGJI", "title": "Tongji University symposium in Songjiang and signing "
     "for the G60 corridor research institute", "kind": "institution",
     "location": "Songjiang District", "counterpart": "Tongji University",
     "notes": "Dated 17 May without a year in an article of 24 May 2024."},
    {"meeting_id": "M-G60-2023", "title": "Conference on the G60 corridor's science and "
     "innovation ecosystem", "kind": "corridor", "date": dt.date(2023, 5, 25),
     "location": "Songjiang District, Shanghai", "counterpart": "G60 corridor",
     "notes": "The corridor issued its declaration on the innovation ecosystem here."},
    {"meeting_id": "M-TSINGHUA", "title": "Shanghai–Tsinghua University cooperation signing",
     "kind": "institution", "location": "Beijing", "counterpart": "Tsinghua University",
     "notes": "Signed on a Monday; the source gives no date or year."},
    {"meeting_id": "M-BAOSHAN-2024", "title": "2024 Baoshan Science and Technology Innovation "
     "Conference", "kind": "district", "counterpart": "Baoshan District",
     "notes": "The source says it took place on a Sunday (article dated Sunday 7 April 2024); "
     "no place is given."},
]

# What each meeting was for, and its background, where the source says so; in our words.
# No source gives an agenda or talking points: those cells stay blank.
BRIEF = {
    "M-SUZHOU": {
        "purpose": "Sign the two cities' science and technology cooperation agreement and seal "
                   "193 cooperation projects.",
        "background": "Suzhou is building on its ties with Shanghai as part of the Yangtze River "
                      "Delta's integration, drawing on Shanghai's innovation, talent and policy "
                      "resources. The projects centre on biomedicine, artificial intelligence, "
                      "integrated circuits and the digital economy.",
    },
    "M-HK-FORUM-2024": {
        "purpose": "A Shanghai–Hong Kong dialogue at the 2024 Pujiang Innovation Forum, with "
                   "agreements between institutions of both cities.",
        "background": "Scientists of the two cities have co-authored thousands of papers in the "
                      "past five years, and the value of technology contracts between them has "
                      "grown by about 60 percent a year.",
    },
    "M-G60-2024": {
        "purpose": "The corridor's conference on its innovation ecosystem, held with the joint "
                   "conference of its nine member cities.",
    },
    "M-G60-2023": {
        "purpose": "The corridor's 2023 conference on its innovation ecosystem, where it issued "
                   "its declaration.",
    },
    "M-TSINGHUA": {
        "purpose": "Sign the agreement between the Shanghai government and Tsinghua University "
                   "on an international innovation center and on talent.",
    },
    "M-BAOSHAN-2024": {
        "purpose": "Baoshan District's 2024 innovation conference, where it signed a strategic "
                   "cooperation agreement with the Shanghai commission and launched new "
                   "platforms.",
    },
}
for _meeting in MEETINGS:
    _meeting.update(BRIEF.get(_meeting["meeting_id"], {}))

# Who took part, where the source names them (the Suzhou signing's two signatories).
PARTICIPANTS = [
    {"meeting_id": "M-SUZHOU", "name": "Lu Min", "organisation": "Shanghai Science and "
     "Technology Commission", "position": "Deputy director", "side": "Shanghai",
     "role": "signs the cooperation agreement"},
    {"meeting_id": "M-SUZHOU", "name": "Gu Haidong", "organisation": "Suzhou",
     "position": "Executive vice mayor", "side": "counterpart",
     "role": "signs the cooperation agreement"},
]

# What the parties said they would do next, where the source says so. No due dates are
# given, so none are set; all are open.
ACTIONS = [
    {"action_id": "F-SZ-01", "meeting_id": "M-SUZHOU", "owner": "Shanghai and Suzhou",
     "action": "Share large scientific equipment and facilities between the two cities.",
     "status": "open"},
    {"action_id": "F-SZ-02", "meeting_id": "M-SUZHOU", "owner": "Shanghai and Suzhou",
     "action": "Extend the use of the Shanghai–Jiangsu science and technology innovation "
               "coupons, and bring Shanghai's science and technology services to Suzhou.",
     "status": "open"},
    {"action_id": "F-SZ-03", "meeting_id": "M-SUZHOU", "owner": "Shanghai and Suzhou",
     "action": "Support cooperation between the two national technology transfer centres "
               "(the East Center in Shanghai, the Southern Jiangsu Center in Suzhou) and open "
               "the Shanghai–Jiangsu technology market.", "status": "open"},
    {"action_id": "F-THU-01", "meeting_id": "M-TSINGHUA",
     "owner": "Shanghai government and Tsinghua University",
     "action": "Build the Shanghai-Tsinghua International Innovation Center together.",
     "status": "open"},
    {"action_id": "F-THU-02", "meeting_id": "M-TSINGHUA",
     "owner": "Shanghai government and Tsinghua University",
     "action": "Set up platforms for research and technology transfer, a database of "
               "innovation resources and industries, and international cooperation networks.",
     "status": "open"},
]

AGREEMENTS = [
    {"agreement_id": "A-SZ-01", "meeting_id": "M-SUZHOU",
     "title": "Science and technology cooperation agreement between Shanghai and Suzhou",
     "party_a": "Suzhou", "party_b": "Shanghai Science and Technology Commission",
     "kind": "agreement",
     "focus_areas": "biomedicine; artificial intelligence; integrated circuits; digital economy",
     "status": "signed", "source": "sh-suzhou",
     "notes": "Signed 26 October (no year given) by Suzhou's executive vice mayor Gu Haidong and "
     "the Commission's deputy director Lu Min. The other 192 projects are not named."},
    {"agreement_id": "A-HK-01", "meeting_id": "M-HK-FORUM-2024",
     "title": "Research cooperation on climate change and infectious diseases",
     "party_a": "Shanghai Sci-Tech Inno Center for Infection and Immunity",
     "party_b": "University of Hong Kong Centre on Contemporary China and the World",
     "kind": "agreement", "focus_areas": "climate change; infectious diseases",
     "status": "signed", "source": "sh-hk", "notes": "Signing date not given."},
    {"agreement_id": "A-HK-02", "meeting_id": "M-HK-FORUM-2024",
     "title": "Strategic partnership on science and technology innovation",
     "party_a": "Shanghai Jiao Tong University (SJTU)", "party_b": "CityU",
     "kind": "strategic partnership", "focus_areas": "technology transfer", "status": "signed",
     "source": "sh-hk", "notes": "Emphasis on industrial use of research results."},
    {"agreement_id": "A-HK-03", "meeting_id": "M-HK-FORUM-2024",
     "title": "Memorandum on science and technology innovation cooperation",
     "party_a": "Shanghai Science and Technology Exchange Center",
     "party_b": "Hong Kong Cyberport Management Company Ltd", "kind": "memorandum",
     "focus_areas": "biomedicine; artificial intelligence; fintech; smart city; green "
     "technology; advanced manufacturing; talent",
     "status": "signed", "source": "sh-hk",
     "notes": "One of several memorandums; the source names only this pair."},
    {"agreement_id": "A-G60-01", "meeting_id": "M-TONGJI",
     "title": "Agreement to build the YRD G60 Science and Innovation Corridor Research Institute",
     "party_a": "Tongji University", "kind": "agreement",
     "focus_areas": "artificial intelligence; talent", "status": "signed", "source": "g60",
     "notes": "Signed 17 May (no year given). The source does not name Tongji's counterpart."},
    {"agreement_id": "A-G60-02", "meeting_id": "M-G60-2024",
     "title": "Shared laboratory for measuring and testing scientific instruments",
     "party_a": "Tus Caohejing (Zhongshan) Science Park",
     "party_b": "Shanghai Instrument Research Institute Co., Ltd.", "kind": "agreement",
     "focus_areas": "scientific instruments", "status": "signed", "source": "g60",
     "notes": "Signed a few days before the article; no date or event is given."},
    {"agreement_id": "A-G60-03", "meeting_id": "M-G60-2024",
     "title": "G60 corridor (Shangrao) cooperation industrial park and collaborative innovation "
     "center", "party_a": "G60 corridor", "party_b": "Shangrao", "kind": "platform",
     "focus_areas": "industrial parks; technology transfer", "status": "launched",
     "source": "g60", "notes": "Unveiled in January 2024 (no day given)."},
    {"agreement_id": "A-G60-04", "meeting_id": "M-G60-2023",
     "title": "Declaration on the G60 corridor's science and innovation ecosystem",
     "party_a": "Yangtze River Delta G60 Science and Technology Innovation Corridor",
     "kind": "declaration", "signed_on": dt.date(2023, 5, 25),
     "focus_areas": "technology transfer; finance for innovation", "status": "signed",
     "source": "g60"},
    {"agreement_id": "A-G60-05", "meeting_id": "M-G60-2023",
     "title": "Platform for cooperation on innovation elements",
     "party_a": "Triangle Institute", "party_b": "China Telecom Industry Research",
     "kind": "platform", "signed_on": dt.date(2023, 5, 25),
     "focus_areas": "technology transfer", "status": "launched", "source": "g60",
     "notes": "The English source garbles the members' names; as printed."},
    {"agreement_id": "A-THU-01", "meeting_id": "M-TSINGHUA",
     "title": "Agreement to build the Shanghai-Tsinghua International Innovation Center and "
     "cooperate on talent", "party_a": "Shanghai government", "party_b": "Tsinghua University",
     "kind": "agreement",
     "focus_areas": "technology transfer; international cooperation; think tank; talent; space "
     "technology; integrated circuits; artificial intelligence; trusted transactions",
     "status": "signed", "source": "sh-tsinghua",
     "notes": "Signed on a Monday in Beijing; no date given."},
    {"agreement_id": "A-BS-01", "meeting_id": "M-BAOSHAN-2024",
     "title": "Strategic cooperation agreement", "party_a": "Baoshan District",
     "party_b": "STCSM", "kind": "agreement",
     "focus_areas": "smart city; green technology; biomedicine; robotics; new materials; "
     "information technology", "status": "signed", "source": "baoshan",
     "notes": "Signed on a Sunday at the conference; no date given."},
    {"agreement_id": "A-BS-02", "meeting_id": "M-BAOSHAN-2024",
     "title": "Shanghai University–Wusong Material Laboratory Joint Research Institute",
     "party_a": "Shanghai University", "party_b": "Wusong Material Laboratory",
     "kind": "platform", "focus_areas": "new materials; talent", "status": "launched",
     "source": "baoshan"},
    {"agreement_id": "A-BS-03", "meeting_id": "M-BAOSHAN-2024",
     "title": "Quantum technology industry joint cultivation center",
     "party_a": "Baoshan District", "party_b": "Shanghai University", "kind": "platform",
     "focus_areas": "quantum technology", "status": "launched", "source": "baoshan"},
    {"agreement_id": "A-BS-04", "meeting_id": "M-BAOSHAN-2024",
     "title": "Shanghai International Synthetic Biology Innovation Center",
     "party_a": "Baoshan District", "party_b": "Beijing Tsinghua Industrial R&D Institute",
     "kind": "platform", "focus_areas": "synthetic biology", "status": "launched",
     "source": "baoshan"},
]


def _m(mid: str, meeting: str, metric: str, value, unit: str, qualifier: str = "",
       period: str = "", source: str = "", notes: str = "") -> dict:
    return {"metric_id": mid, "meeting_id": meeting, "metric": metric, "value": value,
            "unit": unit, "qualifier": qualifier, "period": period, "source": source,
            "notes": notes}


HK, G60 = "M-HK-FORUM-2024", "M-G60-2024"
FIVE_YEARS = "past five years"
METRICS = [
    _m("F-SZ-01", "M-SUZHOU", "Cooperation projects signed", 193, "count", "exact",
       "26 October (year not stated)", "sh-suzhou"),
    _m("F-HK-01", HK, "Scientists co-authoring papers", 25000, "count", "about", FIVE_YEARS,
       "sh-hk", "Incomplete statistics, says the source."),
    _m("F-HK-02", HK, "Co-authored papers", 12280, "count", "exact", FIVE_YEARS, "sh-hk"),
    _m("F-HK-03", HK, "Technology contract value", 32_300_000_000, "CNY", "exact", FIVE_YEARS,
       "sh-hk"),
    _m("F-HK-04", HK, "Technology contract value", "US$4.6 billion", "USD", "", FIVE_YEARS,
       "sh-hk", "As converted by the outlet."),
    _m("F-HK-05", HK, "Technology contract value annual growth", 60, "percent", "exact",
       "average per year, " + FIVE_YEARS, "sh-hk"),
    _m("F-G60-01", G60, "Member cities", 9, "count", "exact", "2024", "g60"),
    _m("F-G60-02", G60, "Years of corridor construction", 8, "years", "exact", "to 2024", "g60"),
    _m("F-G60-03", G60, "Cities seeking to join", 10, "count", "more than", "2024", "g60"),
    _m("F-G60-04", G60, "Innovation enclaves in Songjiang", 18, "count", "exact", "2024", "g60"),
    _m("F-G60-05", G60, "Share of national GDP", "1/15", "ratio", "exact", "2023", "g60"),
    _m("F-G60-06", G60, "Share of national high-tech enterprises", "1/7", "ratio", "exact",
       "2023", "g60"),
    _m("F-G60-07", G60, "Share of STAR Market listed companies", "1/5", "ratio", "more than",
       "2023", "g60"),
    _m("F-G60-08", G60, "Technical needs solicited", 97, "count", "exact", "", "g60"),
    _m("F-G60-09", G60, "Joint research projects with substantive progress", 31, "count",
       "exact", "", "g60"),
    _m("F-G60-10", G60, "Joint research projects launched", 10, "count", "more than", "",
       "g60", "In Songjiang, Wuhu, Huzhou and Xuancheng."),
    _m("F-G60-11", G60, "Industrial alliances", 16, "count", "exact", "", "g60"),
    _m("F-G60-12", G60, "Industrial cooperation demonstration parks", 14, "count", "exact", "",
       "g60"),
    _m("F-G60-13", G60, "Industry-city integration demonstration zones", 11, "count", "exact",
       "first batch", "g60"),
    _m("F-G60-14", G60, "Cross-city services online", 195, "count", "exact", "", "g60",
       "'One Network for All' items."),
    _m("F-G60-15", G60, "Projects invested by transformation fund", 17, "count", "exact", "",
       "g60"),
    _m("F-G60-16", G60, "Financial support policies", 28, "count", "exact", "", "g60"),
    _m("F-G60-17", G60, "Financial service alliance members", 550, "count", "exact", "", "g60"),
    _m("F-G60-18", G60, "Credit financing", "2.9 trillion", "CNY", "more than", "accumulated",
       "g60"),
    _m("F-G60-19", G60, "Major YRD cities reachable from Songjiang hub", 80, "percent",
       "more than", "once the hub is complete", "g60", "A projection: the hub is being built."),
]


def main() -> None:
    out = ROOT / "input" / "cooperation.xlsx"
    write_workbook(out, {"Meetings": MEETINGS, "Agreements": AGREEMENTS, "Metrics": METRICS,
                         "Participants": PARTICIPANTS, "Actions": ACTIONS}, force=True)
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
