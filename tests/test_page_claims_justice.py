"""The source page's sentences on the AI Act and the justice files, each checked against the real graph.

One test per sentence of the page (https://picum.org/our-work/) for: AI Act, Anti-trafficking Directive,
Violence against women Directive, Victims' Rights Directive and Istanbul Convention; then their key identifiers
(CELEX, ELI, procedure) and the status of each file on a few dates. The queries run over the union of the
project's named graphs, asserted triples only.
"""

from __future__ import annotations

import pytest

STATUS = "https://w3id.org/policykg/concept/lifecycle-status/"
GROUP = "https://w3id.org/policykg/concept/affected-group/"
CONCERN = "https://w3id.org/policykg/concept/concern/"
STANCE = "https://w3id.org/policykg/concept/stance/"
PUBTYPE = "https://w3id.org/policykg/concept/publication-type/"
PAGE = "https://picum.org/our-work/"
COE_TREATY = "https://www.coe.int/en/web/conventions/full-list?module=treaty-detail&treatynum=210"


#: Each file's status date: the date of the latest evidence checked for it, not the build date.
AS_OF = {"anti-trafficking-directive": "2024-07-14", "violence-against-women-directive": "2024-06-13",
         "victims-rights-directive": "2026-09-18", "istanbul-convention": "2024-05-21", "ai-act": "2026-10-07"}


def status_on(graph_query, file_slug: str, day: str) -> set[str]:
    """The stage(s) of the latest lifecycle event of a file on or before ``day``."""
    rows = graph_query.select(f"""
        SELECT ?stage WHERE {{
            ?event pkg:eventOf file:{file_slug} ; eli-dl:activity_date ?date ; pkg:stage ?stage .
            FILTER(?date <= "{day}"^^xsd:date)
            FILTER NOT EXISTS {{
                ?later pkg:eventOf file:{file_slug} ; eli-dl:activity_date ?d .
                FILTER(?d > ?date && ?d <= "{day}"^^xsd:date)
            }}
        }}""")
    return {row["stage"].removeprefix(STATUS) for row in rows}


# ------------------------------------------------------------------------------------------------------------
# AI Act
# ------------------------------------------------------------------------------------------------------------

def test_ai_act_regulates_ai_across_fields_including_migration(graph_query):
    # "The Artificial Intelligence Act regulates the use of artificial intelligence in the European Union,
    #  across fields, including migration."
    assert graph_query.ask(f"""
        ASK {{
            file:ai-act a pkg:PolicyFile ; dcterms:description ?description ;
                dcterms:subject eurovoc:3030 ;
                pkg:affects <{GROUP}people-in-migration> ;
                pkg:hasAdoptedAct ?act .
            ?act a pkg:Regulation ; pkg:celex "32024R1689" ; eli:title ?title .
            FILTER(CONTAINS(LCASE(STR(?title)), "harmonised rules on artificial intelligence"))
            FILTER(CONTAINS(LCASE(STR(?description)), "migration"))
        }}""")


def test_ai_act_final_text_adopted_in_april_2024_is_an_uncorroborated_claim(graph_query):
    # "The final text, adopted in April 2024, ..." : a claim of April 2024 that no official event matches.
    assert graph_query.ask(f"""
        ASK {{
            ?claim a pkg:LifecycleClaim ; pkg:claimAbout file:ai-act ;
                pkg:stage <{STATUS}adopted> ;
                pkg:statedPeriod "2024-04"^^xsd:gYearMonth ;
                pkg:statedText ?text ;
                prov:wasDerivedFrom <{PAGE}> ;
                skos:editorialNote ?why .
            FILTER(CONTAINS(STR(?text), "April 2024"))
            FILTER NOT EXISTS {{ ?claim pkg:corroboratedBy ?event }}
        }}""")
    # No official adoption took place in April 2024; the Council adopted the act in May 2024.
    assert not graph_query.ask(f"""
        ASK {{
            ?event pkg:eventOf file:ai-act ; pkg:stage <{STATUS}adopted> ; eli-dl:activity_date ?date .
            FILTER(STRSTARTS(STR(?date), "2024-04"))
        }}""")
    assert graph_query.ask(f"""
        ASK {{
            ?event pkg:eventOf file:ai-act ; pkg:stage <{STATUS}adopted> ;
                eli-dl:activity_date "2024-05-21"^^xsd:date .
        }}""")


def test_ai_act_fails_people_in_migration_and_racialised_groups(graph_query):
    # "... fails to protect people in migration and racialised groups from harmful uses of AI."
    assert graph_query.ask(f"""
        ASK {{
            ?position a pkg:Position ; oa:hasTarget file:ai-act ; oa:motivatedBy oa:assessing ;
                pkg:stance <{STANCE}critical> ;
                pkg:raisesConcern <{CONCERN}harmful-uses-of-ai> ;
                pkg:namesGroup <{GROUP}people-in-migration> , <{GROUP}racialised-groups> ;
                dcterms:creator porg:picum ;
                prov:wasDerivedFrom <{PAGE}> .
        }}""")


def test_ai_act_harms_denounced_in_press_releases_and_joint_statements(graph_query):
    # "We denounced such harms in press releases and joint statements."
    rows = graph_query.select("""
        SELECT ?type WHERE {
            ?position oa:hasTarget file:ai-act ; pkg:expressedIn ?publication .
            ?publication a pkg:Publication ; pkg:about file:ai-act ; dcterms:type ?type ;
                dcterms:creator porg:picum ; pkg:notStatedInSource dcterms:issued .
        }""")
    assert {row["type"].removeprefix(PUBTYPE) for row in rows} == {"press-release", "joint-statement"}


def test_ai_act_identifiers(graph_query):
    assert graph_query.ask("""
        ASK {
            file:ai-act pkg:hasAdoptedAct <http://data.europa.eu/eli/reg/2024/1689/oj> ;
                pkg:hasProposal celex:52021PC0206 ;
                pkg:followsProcedure ?procedure .
            <http://data.europa.eu/eli/reg/2024/1689/oj> pkg:celex "32024R1689" ;
                pkg:resultsFrom celex:52021PC0206 .
            celex:52021PC0206 pkg:celex "52021PC0206" ; pkg:comNumber "COM(2021) 206" .
            ?procedure dcterms:identifier "2021/0106(COD)" .
        }""")


# ------------------------------------------------------------------------------------------------------------
# Anti-trafficking Directive
# ------------------------------------------------------------------------------------------------------------

def test_anti_trafficking_directive_prevents_trafficking_and_protects_victims(graph_query):
    # "The Anti-Trafficking Directive sets out measures to prevent and combat trafficking in human beings and to
    #  protect its victims."
    assert graph_query.ask(f"""
        ASK {{
            file:anti-trafficking-directive a pkg:PolicyFile ; dcterms:description ?description ;
                dcterms:subject eurovoc:5933 ;
                pkg:affects <{GROUP}victims-of-trafficking> ;
                pkg:hasBaseAct ?base .
            ?base a pkg:Directive ; pkg:celex "32011L0036" ; eli:title ?title .
            FILTER(CONTAINS(STR(?title), "preventing and combating trafficking in human beings and protecting its victims"))
        }}""")


def test_anti_trafficking_revision_proposed_december_2022_adopted_may_2024(graph_query):
    # "The European Commission proposed a revision in December 2022, which was adopted in May 2024."
    assert graph_query.ask(f"""
        ASK {{
            ?proposed pkg:eventOf file:anti-trafficking-directive ; pkg:stage <{STATUS}proposed> ;
                eli-dl:activity_date "2022-12-19"^^xsd:date ; pkg:concernsInstrument celex:52022PC0732 .
            ?adopted pkg:eventOf file:anti-trafficking-directive ; pkg:stage <{STATUS}adopted> ;
                eli-dl:activity_date "2024-05-27"^^xsd:date ;
                pkg:concernsInstrument <http://data.europa.eu/eli/dir/2024/1712/oj> .
            ?claim1 pkg:claimAbout file:anti-trafficking-directive ; pkg:stage <{STATUS}proposed> ;
                pkg:statedPeriod "2022-12"^^xsd:gYearMonth ; pkg:corroboratedBy ?proposed ;
                prov:wasDerivedFrom <{PAGE}> .
            ?claim2 pkg:claimAbout file:anti-trafficking-directive ; pkg:stage <{STATUS}adopted> ;
                pkg:statedPeriod "2024-05"^^xsd:gYearMonth ; pkg:corroboratedBy ?adopted ;
                prov:wasDerivedFrom <{PAGE}> .
        }}""")


def test_anti_trafficking_revision_fails_root_causes_and_victims(graph_query):
    # "The revised text fails to tackle the root causes of trafficking and fails to protect and empower victims."
    assert graph_query.ask(f"""
        ASK {{
            ?position a pkg:Position ; oa:hasTarget file:anti-trafficking-directive ;
                pkg:stance <{STANCE}critical> ;
                pkg:raisesConcern <{CONCERN}root-causes-of-trafficking> , <{CONCERN}victim-protection> ;
                pkg:namesGroup <{GROUP}victims-of-trafficking> ;
                prov:wasDerivedFrom <{PAGE}> .
        }}""")


def test_anti_trafficking_position_in_a_joint_statement(graph_query):
    # "Our position on this revision can be found in this joint statement"
    rows = graph_query.select(f"""
        SELECT ?publication WHERE {{
            ?position oa:hasTarget file:anti-trafficking-directive ; pkg:expressedIn ?publication .
            ?publication a pkg:Publication ; pkg:about file:anti-trafficking-directive ;
                dcterms:type <{PUBTYPE}joint-statement> ; dcterms:creator porg:picum ;
                pkg:notStatedInSource dcterms:title , dcterms:issued , dcterms:contributor .
        }}""")
    assert len(rows) == 1


def test_anti_trafficking_identifiers(graph_query):
    assert graph_query.ask("""
        ASK {
            file:anti-trafficking-directive
                pkg:hasBaseAct <http://data.europa.eu/eli/dir/2011/36/oj> ;
                pkg:hasAdoptedAct <http://data.europa.eu/eli/dir/2024/1712/oj> ;
                pkg:hasProposal celex:52022PC0732 ;
                pkg:followsProcedure <https://data.europarl.europa.eu/eli/dl/proc/2022-0426> .
            <http://data.europa.eu/eli/dir/2024/1712/oj> pkg:celex "32024L1712" ;
                eli:amends <http://data.europa.eu/eli/dir/2011/36/oj> ;
                pkg:resultsFrom celex:52022PC0732 ;
                pkg:ojReference "OJ L, 2024/1712, 24.6.2024" ;
                eli:date_document "2024-06-13"^^xsd:date ;
                eli:first_date_entry_in_force "2024-07-14"^^xsd:date ;
                pkg:transpositionDeadline "2026-07-15"^^xsd:date .
            <http://data.europa.eu/eli/dir/2011/36/oj> pkg:celex "32011L0036" ;
                eli:amended_by <http://data.europa.eu/eli/dir/2024/1712/oj> .
            celex:52022PC0732 pkg:comNumber "COM(2022) 732" .
            <https://data.europarl.europa.eu/eli/dl/proc/2022-0426> dcterms:identifier "2022/0426(COD)" ;
                owl:sameAs <http://publications.europa.eu/resource/procedure/2022_426> .
        }""")


# ------------------------------------------------------------------------------------------------------------
# Violence against women Directive
# ------------------------------------------------------------------------------------------------------------

def test_vaw_directive_combats_violence_against_women_and_domestic_violence(graph_query):
    # "The Violence against women Directive foresees provisions to combat violence against women and domestic
    #  violence."
    assert graph_query.ask(f"""
        ASK {{
            file:violence-against-women-directive a pkg:PolicyFile ;
                dcterms:subject eurovoc:c_e0543dcb , eurovoc:6557 ;
                pkg:affects <{GROUP}victims-of-gender-based-violence> ;
                pkg:hasAdoptedAct ?act .
            ?act a pkg:Directive ; eli:title ?title .
            FILTER(CONTAINS(STR(?title), "on combating violence against women and domestic violence"))
        }}""")


def test_vaw_final_text_adopted_in_may_2024(graph_query):
    # "The final text, adopted in May 2024, ..."
    assert graph_query.ask(f"""
        ASK {{
            ?claim a pkg:LifecycleClaim ; pkg:claimAbout file:violence-against-women-directive ;
                pkg:stage <{STATUS}adopted> ; pkg:statedPeriod "2024-05"^^xsd:gYearMonth ;
                prov:wasDerivedFrom <{PAGE}> ; pkg:corroboratedBy ?event .
            ?event pkg:eventOf file:violence-against-women-directive ; pkg:stage <{STATUS}adopted> ;
                eli-dl:activity_date "2024-05-07"^^xsd:date ;
                pkg:concernsInstrument <http://data.europa.eu/eli/dir/2024/1385/oj> .
        }}""")


def test_vaw_fails_undocumented_women_reporting_to_police(graph_query):
    # "... fails to protect undocumented women from immigration enforcement should they report violence and
    #  abuse to police."
    assert graph_query.ask(f"""
        ASK {{
            ?position a pkg:Position ; oa:hasTarget file:violence-against-women-directive ;
                pkg:stance <{STANCE}critical> ;
                pkg:raisesConcern <{CONCERN}reporting-to-immigration-enforcement> ;
                pkg:namesGroup <{GROUP}undocumented-women> ;
                prov:wasDerivedFrom <{PAGE}> .
            file:violence-against-women-directive pkg:affects <{GROUP}undocumented-women> .
        }}""")


def test_vaw_identifiers(graph_query):
    assert graph_query.ask("""
        ASK {
            file:violence-against-women-directive
                pkg:hasAdoptedAct <http://data.europa.eu/eli/dir/2024/1385/oj> ;
                pkg:hasProposal celex:52022PC0105 ;
                pkg:followsProcedure <https://data.europarl.europa.eu/eli/dl/proc/2022-0066> .
            <http://data.europa.eu/eli/dir/2024/1385/oj> pkg:celex "32024L1385" ;
                pkg:resultsFrom celex:52022PC0105 ;
                eli:date_document "2024-05-14"^^xsd:date ;
                eli:date_publication "2024-05-24"^^xsd:date ;
                eli:first_date_entry_in_force "2024-06-13"^^xsd:date ;
                pkg:transpositionDeadline "2027-06-14"^^xsd:date .
            celex:52022PC0105 pkg:comNumber "COM(2022) 105" ; eli:date_document "2022-03-08"^^xsd:date .
            <https://data.europarl.europa.eu/eli/dl/proc/2022-0066> dcterms:identifier "2022/0066(COD)" .
        }""")


# ------------------------------------------------------------------------------------------------------------
# Victims' Rights Directive
# ------------------------------------------------------------------------------------------------------------

def test_vrd_sets_minimum_standards_for_victims_of_crime(graph_query):
    # "The Victims' Rights Directive sets out minimum rights and standards for protection for victims of crime in
    #  the European Union."
    assert graph_query.ask(f"""
        ASK {{
            file:victims-rights-directive a pkg:PolicyFile ;
                pkg:affects <{GROUP}victims-of-crime> ;
                dcterms:subject eurovoc:4695 ;
                pkg:hasBaseAct ?base .
            ?base a pkg:Directive ; pkg:celex "32012L0029" ; eli:title ?title .
            FILTER(CONTAINS(STR(?title), "minimum standards on the rights, support and protection of victims of crime"))
        }}""")


def test_vrd_revision_proposed_july_2023_and_negotiated(graph_query):
    # "The European Commission proposed a revision in July 2023, which is currently being negotiated by the
    #  European Parliament and the EU Council."
    assert graph_query.ask(f"""
        ASK {{
            ?claim a pkg:LifecycleClaim ; pkg:claimAbout file:victims-rights-directive ;
                pkg:stage <{STATUS}proposed> ; pkg:statedPeriod "2023-07"^^xsd:gYearMonth ;
                prov:wasDerivedFrom <{PAGE}> ; pkg:corroboratedBy ?event .
            ?event pkg:stage <{STATUS}proposed> ; eli-dl:activity_date "2023-07-12"^^xsd:date ;
                pkg:concernsInstrument celex:52023PC0424 .
        }}""")
    # Both co-legislators took negotiating positions: Parliament (March 2024, the first: the file stays proposed)
    # and the Council (13 June 2024, the second: negotiations open).
    assert graph_query.ask(f"""
        ASK {{
            ?ep pkg:eventOf file:victims-rights-directive ; pkg:stage <{STATUS}proposed> ;
                eli-dl:activity_date "2024-03-14"^^xsd:date ; prov:wasAssociatedWith corporate-body:EP .
            ?council pkg:eventOf file:victims-rights-directive ; pkg:stage <{STATUS}under-negotiation> ;
                eli-dl:activity_date "2024-06-13"^^xsd:date ; prov:wasAssociatedWith corporate-body:CONSIL .
        }}""")
    # "currently being negotiated" was true between the second mandate and the provisional agreement. The page
    # says it in the present tense, undated: a claim stated as current on the page's snapshot date, when the
    # amending directive had already been published, so it is explained, not corroborated.
    assert status_on(graph_query, "victims-rights-directive", "2025-01-01") == {"under-negotiation"}
    assert graph_query.ask(f"""
        ASK {{
            ?claim a pkg:LifecycleClaim ; pkg:claimAbout file:victims-rights-directive ;
                pkg:stage <{STATUS}under-negotiation> ; pkg:statedAsCurrentOn "2026-11-29"^^xsd:date ;
                pkg:statedText ?text ; prov:wasDerivedFrom <{PAGE}> ; skos:editorialNote ?why .
            <{PAGE}> pkg:snapshotDate "2026-11-29"^^xsd:date .
            FILTER(CONTAINS(STR(?text), "currently being negotiated"))
            FILTER NOT EXISTS {{ ?claim pkg:corroboratedBy ?event }}
        }}""")
    assert graph_query.ask(f"""
        ASK {{ file:victims-rights-directive pkg:currentStatus <{STATUS}published> ;
                   pkg:statusAsOf "2026-09-18"^^xsd:date . }}""")


def test_vrd_openings_shortcomings_and_joint_statement_on_council_position(graph_query):
    # "We highlighted promising openings and shortcomings of the proposed revision and criticised the Council's
    #  position in a joint statement."  Two texts, two positions: the Commission's proposal (mixed) and the
    #  Council's general approach (critical, in the joint statement).
    rows = graph_query.select("""
        SELECT ?stance ?instrument ?step WHERE {
            ?position a pkg:Position ; oa:hasTarget file:victims-rights-directive ; pkg:stance ?stance .
            OPTIONAL { ?position pkg:assessesInstrument ?instrument }
            OPTIONAL { ?position pkg:assessesStep ?step } }""")
    assert {(r["stance"].removeprefix(STANCE), r.get("instrument"), r.get("step")) for r in rows} == {
        ("mixed", "http://publications.europa.eu/resource/celex/52023PC0424", None),
        ("critical", None, "https://w3id.org/policykg/id/event/victims-rights-directive-council-general-approach")}
    assert graph_query.ask(f"""
        ASK {{
            ?position a pkg:Position ; oa:hasTarget file:victims-rights-directive ;
                pkg:stance <{STANCE}critical> ; pkg:expressedIn ?statement ;
                prov:wasDerivedFrom <{PAGE}> .
            ?statement a pkg:Publication ; dcterms:type <{PUBTYPE}joint-statement> ;
                pkg:about file:victims-rights-directive ; dcterms:creator porg:picum ;
                pkg:notStatedInSource dcterms:title , dcterms:issued , dcterms:contributor ;
                dcterms:references ?councilPosition .
            ?councilPosition pkg:eventOf file:victims-rights-directive ; pkg:stage <{STATUS}under-negotiation> ;
                eli-dl:activity_date "2024-06-13"^^xsd:date ; rdfs:label ?label .
            FILTER(CONTAINS(STR(?label), "Council general approach"))
        }}""")


def test_vrd_identifiers(graph_query):
    assert graph_query.ask("""
        ASK {
            file:victims-rights-directive
                pkg:hasBaseAct <http://data.europa.eu/eli/dir/2012/29/oj> ;
                pkg:hasProposal celex:52023PC0424 ;
                pkg:followsProcedure <https://data.europarl.europa.eu/eli/dl/proc/2023-0250> .
            <http://data.europa.eu/eli/dir/2012/29/oj> pkg:celex "32012L0029" ;
                eli:date_document "2012-10-25"^^xsd:date ;
                pkg:transpositionDeadline "2015-11-16"^^xsd:date .
            celex:52023PC0424 pkg:celex "52023PC0424" ; pkg:comNumber "COM(2023) 424" .
            <https://data.europarl.europa.eu/eli/dl/proc/2023-0250> dcterms:identifier "2023/0250(COD)" ;
                owl:sameAs <http://publications.europa.eu/resource/procedure/2023_250> .
        }""")
    # The amending act, Directive (EU) 2026/1472, signed on 17 June 2026 and published on 30 June 2026.
    assert graph_query.ask(f"""
        ASK {{
            file:victims-rights-directive pkg:hasAdoptedAct <http://data.europa.eu/eli/dir/2026/1472/oj> .
            <http://data.europa.eu/eli/dir/2026/1472/oj> a pkg:Directive ; pkg:celex "32026L1472" ;
                eli:date_document "2026-06-17"^^xsd:date ; eli:date_publication "2026-06-30"^^xsd:date ;
                eli:amends <http://data.europa.eu/eli/dir/2012/29/oj> ; pkg:resultsFrom celex:52023PC0424 ;
                dcterms:source <https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32026L1472> ;
                skos:editorialNote ?uncertain .
            ?adopted pkg:eventOf file:victims-rights-directive ; pkg:stage <{STATUS}adopted> ;
                eli-dl:activity_date "2026-06-17"^^xsd:date ;
                prov:wasAssociatedWith corporate-body:EP , corporate-body:CONSIL .
            ?published pkg:eventOf file:victims-rights-directive ; pkg:stage <{STATUS}published> ;
                eli-dl:activity_date "2026-06-30"^^xsd:date .
        }}""")


# ------------------------------------------------------------------------------------------------------------
# Istanbul Convention
# ------------------------------------------------------------------------------------------------------------

def test_istanbul_convention_2011_council_of_europe_treaty(graph_query):
    # "The 2011 Istanbul Convention is a human rights treaty of the Council of Europe that aims to combat violence
    #  against women and domestic violence."
    assert graph_query.ask(f"""
        ASK {{
            file:istanbul-convention pkg:fileKind <https://w3id.org/policykg/concept/file-kind/international-convention> ;
                dcterms:subject eurovoc:c_e0543dcb , eurovoc:6557 , eurovoc:121 ;
                pkg:hasRelatedDocument <{COE_TREATY}> ;
                rdfs:seeAlso <{COE_TREATY}> .
            <{COE_TREATY}> a pkg:InternationalTreaty ; dcterms:creator porg:council-of-europe ;
                eli:id_local "CETS No. 210" ; eli:title ?title ; eli:date_document ?date .
            FILTER(CONTAINS(STR(?title), "violence against women and domestic violence"))
            FILTER(STRSTARTS(STR(?date), "2011"))
        }}""")
    assert graph_query.ask(f"""
        ASK {{
            ?claim a pkg:LifecycleClaim ; pkg:claimAbout file:istanbul-convention ;
                pkg:statedPeriod "2011"^^xsd:gYear ; prov:wasDerivedFrom <{PAGE}> ; pkg:corroboratedBy ?event .
            ?event pkg:eventOf file:istanbul-convention ; eli-dl:activity_date "2011-04-07"^^xsd:date ;
                pkg:concernsInstrument <{COE_TREATY}> .
        }}""")


def test_istanbul_convention_binds_eu_since_october_2023_exclusive_competences(graph_query):
    # "The EU is bound by this Convention since October 2023, but only as regards matters falling under its
    #  exclusive competences."
    assert graph_query.ask(f"""
        ASK {{
            ?claim a pkg:LifecycleClaim ; pkg:claimAbout file:istanbul-convention ;
                pkg:stage <{STATUS}in-force> ; pkg:statedPeriod "2023-10"^^xsd:gYearMonth ;
                prov:wasDerivedFrom <{PAGE}> ; pkg:corroboratedBy ?event .
            ?event pkg:eventOf file:istanbul-convention ; pkg:stage <{STATUS}in-force> ;
                eli-dl:activity_date "2023-10-01"^^xsd:date .
            file:istanbul-convention pkg:currentStatus <{STATUS}in-force> ; skos:scopeNote ?scope .
            FILTER(CONTAINS(STR(?scope), "exclusive competence"))
        }}""")
    # The EU is bound through two conclusion decisions, one per area of exclusive competence.
    rows = graph_query.select("""
        SELECT ?celex ?title WHERE {
            file:istanbul-convention pkg:hasRelatedDocument ?decision .
            ?decision a pkg:Decision ; pkg:celex ?celex ; eli:title ?title .
            FILTER(CONTAINS(STR(?title), "on the conclusion"))
        } ORDER BY ?celex""")
    assert [row["celex"] for row in rows] == ["32023D1075", "32023D1076"]
    assert "institutions and public administration of the Union" in rows[0]["title"]
    assert "judicial cooperation in criminal matters, asylum and non-refoulement" in rows[1]["title"]
    assert status_on(graph_query, "istanbul-convention", "2023-09-30") == {"published"}
    assert status_on(graph_query, "istanbul-convention", "2023-10-01") == {"in-force"}


def test_istanbul_convention_identifiers(graph_query):
    # The treaty itself has no verified CELEX: EUR-Lex is reached through the EU's signature and conclusion
    # decisions.
    assert not graph_query.ask(f"ASK {{ <{COE_TREATY}> pkg:celex ?celex }}")
    assert graph_query.ask("""
        ASK {
            file:istanbul-convention
                pkg:hasRelatedDocument <http://data.europa.eu/eli/dec/2023/1075/oj> ,
                    <http://data.europa.eu/eli/dec/2023/1076/oj> ,
                    <http://data.europa.eu/eli/dec/2017/865/oj> ,
                    <http://data.europa.eu/eli/dec/2017/866/oj> ;
                pkg:hasProposal celex:52016PC0109 , celex:52016PC0111 ;
                pkg:followsProcedure <https://data.europarl.europa.eu/eli/dl/proc/2016-0062A> ,
                    <https://data.europarl.europa.eu/eli/dl/proc/2016-0062B> .
            <http://data.europa.eu/eli/dec/2023/1075/oj> pkg:celex "32023D1075" ;
                pkg:followsProcedure <https://data.europarl.europa.eu/eli/dl/proc/2016-0062A> .
            <http://data.europa.eu/eli/dec/2023/1076/oj> pkg:celex "32023D1076" ;
                pkg:followsProcedure <https://data.europarl.europa.eu/eli/dl/proc/2016-0062B> ;
                pkg:ojReference "OJ L 143I, 2.6.2023, p. 4–6" .
            <http://data.europa.eu/eli/dec/2017/865/oj> pkg:celex "32017D0865" .
            <http://data.europa.eu/eli/dec/2017/866/oj> pkg:celex "32017D0866" .
            <https://data.europarl.europa.eu/eli/dl/proc/2016-0062A> dcterms:identifier "2016/0062A(NLE)" .
            <https://data.europarl.europa.eu/eli/dl/proc/2016-0062B> dcterms:identifier "2016/0062B(NLE)" .
            celex:52016PC0109 pkg:comNumber "COM(2016) 109" ;
                pkg:resultedIn <http://data.europa.eu/eli/dec/2023/1075/oj> , <http://data.europa.eu/eli/dec/2023/1076/oj> .
        }""")
    # Split procedures have no known CELLAR form.
    assert not graph_query.ask("""
        ASK { <https://data.europarl.europa.eu/eli/dl/proc/2016-0062A> owl:sameAs ?cellar }""")


# ------------------------------------------------------------------------------------------------------------
# Status of each file on a date
# ------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("file_slug", "day", "expected"), [
    ("anti-trafficking-directive", "2023-01-01", "proposed"),
    ("anti-trafficking-directive", "2024-01-01", "under-negotiation"),
    ("anti-trafficking-directive", "2024-02-01", "provisional-agreement"),
    ("anti-trafficking-directive", "2024-06-01", "adopted"),
    ("anti-trafficking-directive", "2026-11-29", "in-force"),
    ("violence-against-women-directive", "2023-12-31", "under-negotiation"),
    ("violence-against-women-directive", "2026-11-29", "in-force"),
    ("victims-rights-directive", "2023-12-31", "proposed"),
    ("victims-rights-directive", "2026-01-01", "provisional-agreement"),
    ("victims-rights-directive", "2026-06-20", "adopted"),
    ("victims-rights-directive", "2026-09-18", "published"),
    ("istanbul-convention", "2015-01-01", "adopted"),
    ("istanbul-convention", "2020-01-01", "under-negotiation"),
    ("istanbul-convention", "2026-11-29", "in-force"),
])
def test_status_on_date(graph_query, file_slug, day, expected):
    assert status_on(graph_query, file_slug, day) == {expected}


@pytest.mark.parametrize("file_slug", [
    "anti-trafficking-directive", "violence-against-women-directive", "victims-rights-directive", "istanbul-convention",
])
def test_current_status_is_the_latest_event(graph_query, file_slug):
    rows = graph_query.select(f"""
        SELECT ?status ?asOf WHERE {{ file:{file_slug} pkg:currentStatus ?status ; pkg:statusAsOf ?asOf }}""")
    assert len(rows) == 1
    assert rows[0]["asOf"] == AS_OF[file_slug]
    assert status_on(graph_query, file_slug, AS_OF[file_slug]) == {rows[0]["status"].removeprefix(STATUS)}
