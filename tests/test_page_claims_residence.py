"""The source page's statements on EU Funding, the European Care Strategy, the European Child Guarantee, the
Facilitation Directive, the Long-Term Residents' Directive, the Schengen Borders Code and the Single Permit
Directive, each checked against the graph (one test per sentence of the page), plus their key identifiers."""

from __future__ import annotations

import pytest

STATUS = "https://w3id.org/policykg/concept/lifecycle-status/"
GROUP = "https://w3id.org/policykg/concept/affected-group/"
KIND = "https://w3id.org/policykg/concept/file-kind/"
STANCE = "https://w3id.org/policykg/concept/stance/"
CONCERN = "https://w3id.org/policykg/concept/concern/"
PUBTYPE = "https://w3id.org/policykg/concept/publication-type/"
PAGE = "https://picum.org/our-work/"


def has_event(graph_query, file: str, stage: str, prefix: str) -> bool:
    """The file has an official event of ``stage`` whose date starts with ``prefix`` (YYYY, YYYY-MM or a day)."""
    return graph_query.ask(f"""
        ASK {{ ?e pkg:eventOf file:{file} ; pkg:stage <{STATUS}{stage}> ; eli-dl:activity_date ?d .
               FILTER(STRSTARTS(STR(?d), "{prefix}")) }}""")


def claim_matches(graph_query, file: str, stage: str, period: str, datatype: str) -> bool:
    """The page's claim is recorded with its period and corroborated by an event of the same file in it."""
    return graph_query.ask(f"""
        ASK {{ ?c a pkg:LifecycleClaim ; pkg:claimAbout file:{file} ; pkg:stage <{STATUS}{stage}> ;
                  pkg:statedPeriod ?p ; prov:wasDerivedFrom <{PAGE}> ; pkg:corroboratedBy ?e .
               FILTER(STR(?p) = "{period}" && DATATYPE(?p) = xsd:{datatype})
               ?e pkg:eventOf file:{file} ; pkg:stage <{STATUS}{stage}> ; eli-dl:activity_date ?d .
               FILTER(STRSTARTS(STR(?d), "{period}")) }}""")


def status_on(graph_query, file: str, day: str) -> str:
    """The stage of the latest event on or before ``day`` (ties broken by the stage's position)."""
    rows = graph_query.select(f"""
        SELECT ?stage WHERE {{
            ?e pkg:eventOf file:{file} ; pkg:stage ?stage ; eli-dl:activity_date ?d .
            ?stage <https://schema.org/position> ?pos .
            FILTER(?d <= "{day}"^^xsd:date)
        }} ORDER BY DESC(?d) DESC(?pos) LIMIT 1""")
    return rows[0]["stage"].rsplit("/", 1)[-1] if rows else ""


#: Each file's status date: the date of the latest evidence checked for it, not the build date.
AS_OF = {
    "eu-funding": "2025-07-16", "european-care-strategy": "2022-12-20", "european-child-guarantee": "2023-11-21",
    "facilitation-directive": "2026-01-29", "long-term-residents-directive": "2025-05-14",
    "schengen-borders-code": "2024-07-10", "single-permit-directive": "2024-05-20",
}


def current_status(graph_query, file: str) -> str:
    rows = graph_query.select(f"""
        SELECT ?s ?asOf WHERE {{ file:{file} pkg:currentStatus ?s ; pkg:statusAsOf ?asOf }}""")
    assert len(rows) == 1
    assert rows[0]["asOf"] == AS_OF[file]
    return rows[0]["s"].rsplit("/", 1)[-1]


def publication(graph_query, file: str, pubtype: str, *creators: str) -> list[dict[str, str]]:
    creator_patterns = " ".join(f"?pub dcterms:creator porg:{c} ." for c in creators)
    return graph_query.select(f"""
        SELECT ?pub WHERE {{ ?pub a pkg:Publication ; pkg:about file:{file} ;
                                  dcterms:type <{PUBTYPE}{pubtype}> . {creator_patterns} }}""")


# ---------------------------------------------------------------------------------------------
# EU Funding


def test_eu_funding_mff_allocates_to_programmes_for_inclusion_of_third_country_nationals(graph_query):
    """'The funds of the European Union are structured in the EU's Multiannual Financial Framework, that
    allocates resources to different programmes, including for the social inclusion of third-country
    nationals.'"""
    assert graph_query.ask(f"""
        ASK {{ file:eu-funding pkg:fileKind <{KIND}funding-framework> ;
                              pkg:affects <{GROUP}third-country-nationals> ;
                              pkg:hasBaseAct ?mff , ?amif , ?esf .
               ?mff pkg:celex "32020R2093" . ?amif pkg:celex "32021R1147" . ?esf pkg:celex "32021R1057" . }}""")
    assert current_status(graph_query, "eu-funding") == "applies"
    assert status_on(graph_query, "eu-funding", "2021-01-01") == "applies"


def test_eu_funding_joint_reports_with_ecre(graph_query):
    """'We have denounced failures and highlighted opportunities in various joint reports with the European
    Council on Refugees and Exiles.'"""
    assert publication(graph_query, "eu-funding", "joint-report", "picum", "ecre")
    assert graph_query.ask(f"""
        ASK {{ ?pos oa:hasTarget file:eu-funding ; pkg:stance <{STANCE}mixed> ;
                    pkg:expressedIn ?pub .
               ?pub dcterms:creator porg:ecre ; pkg:notStatedInSource dcterms:title , dcterms:issued . }}""")


def test_eu_funding_identifiers(graph_query):
    rows = graph_query.select("""
        SELECT ?celex ?proc WHERE {
            file:eu-funding pkg:hasBaseAct ?act . ?act pkg:celex ?celex ; pkg:followsProcedure ?p .
            ?p dcterms:identifier ?proc }""")
    found = {(r["celex"], r["proc"]) for r in rows}
    assert found == {("32020R2093", "2018/0166(APP)"), ("32021R1147", "2018/0248(COD)"),
                     ("32021R1057", "2018/0206(COD)")}
    assert graph_query.ask("""
        ASK { <http://data.europa.eu/eli/reg/2020/2093/oj> eli:first_date_entry_in_force "2020-12-25"^^xsd:date ;
                  eli:date_applicability "2021-01-01"^^xsd:date ; eli:passed_by corporate-body:CONSIL .
              <http://data.europa.eu/eli/reg/2021/1147/oj> eli:date_applicability "2021-01-01"^^xsd:date ;
                  pkg:resultsFrom celex:52018PC0471 .
              FILTER NOT EXISTS { <http://data.europa.eu/eli/reg/2021/1147/oj> eli:repeals ?x } }""")


# ---------------------------------------------------------------------------------------------
# European Care Strategy


def test_care_strategy_is_a_non_binding_2022_document(graph_query):
    """'The 2022 European Care Strategy is a non-binding policy document that aims to strengthen long-term care
    and early childhood education and care.'"""
    assert graph_query.ask(f"""
        ASK {{ file:european-care-strategy pkg:fileKind <{KIND}non-binding-instrument> ;
                   pkg:hasRelatedDocument ?com ; pkg:hasAdoptedAct ?ltc , ?ecec ;
                   dcterms:subject eurovoc:c_1000336b , eurovoc:2594 .
               ?com a pkg:Communication ; pkg:celex "52022DC0440" ; pkg:comNumber "COM(2022) 440" ;
                    eli:date_document "2022-09-07"^^xsd:date .
               ?ltc a pkg:Recommendation ; pkg:celex "32022H1215(01)" ; eli:is_about eurovoc:c_1000336b .
               ?ecec a pkg:Recommendation ; pkg:celex "32022H1220(01)" ; eli:is_about eurovoc:2594 . }}""")
    assert claim_matches(graph_query, "european-care-strategy", "proposed", "2022", "gYear")
    assert current_status(graph_query, "european-care-strategy") == "published"


def test_care_strategy_recommendations_are_oj_c_acts_without_eli(graph_query):
    rows = graph_query.select("""
        SELECT ?act ?celex ?proposal ?proc WHERE {
            file:european-care-strategy pkg:hasAdoptedAct ?act .
            ?act pkg:celex ?celex ; eli:date_document "2022-12-08"^^xsd:date ; pkg:resultsFrom ?p ;
                 pkg:followsProcedure ?pr .
            ?p pkg:comNumber ?proposal . ?pr dcterms:identifier ?proc }""")
    assert {(r["celex"], r["proposal"], r["proc"]) for r in rows} == {
        ("32022H1215(01)", "COM(2022) 441", "2022/0264(NLE)"),
        ("32022H1220(01)", "COM(2022) 442", "2022/0263(NLE)")}
    for row in rows:
        assert row["act"] == "http://publications.europa.eu/resource/celex/" + row["celex"]
    assert has_event(graph_query, "european-care-strategy", "published", "2022-12-15")
    assert has_event(graph_query, "european-care-strategy", "published", "2022-12-20")


def test_care_strategy_joint_recommendations(graph_query):
    """'We published joint recommendations on migrant care workers and on early-childhood education and care.'"""
    rows = publication(graph_query, "european-care-strategy", "joint-recommendations", "picum")
    assert len(rows) == 2
    assert graph_query.ask(f"""
        ASK {{ file:european-care-strategy pkg:affects <{GROUP}migrant-care-workers> .
               ?pub pkg:about file:european-care-strategy ; rdfs:label ?label ;
                    pkg:notStatedInSource dcterms:contributor ; dcterms:creator porg:picum .
               FILTER NOT EXISTS {{ ?pub pkg:notStatedInSource dcterms:creator }}
               FILTER(CONTAINS(LCASE(STR(?label)), "migrant care workers")) }}""")


# ---------------------------------------------------------------------------------------------
# European Child Guarantee


def test_child_guarantee_includes_undocumented_children(graph_query):
    """'The European Child Guarantee is a non-binding policy document aiming to prevent and combat social
    exclusion of children, including undocumented children, by guaranteeing effective access to a set of key
    services.'"""
    rows = graph_query.select(f"""
        SELECT ?file WHERE {{ ?file a pkg:PolicyFile ; pkg:affects <{GROUP}undocumented-children> }}""")
    files = {r["file"].rsplit("/", 1)[-1] for r in rows}
    assert "european-child-guarantee" in files
    assert graph_query.ask(f"""
        ASK {{ file:european-child-guarantee pkg:fileKind <{KIND}non-binding-instrument> ;
                   pkg:hasAdoptedAct ?reco . ?reco a pkg:Recommendation . }}""")


def test_child_guarantee_services(graph_query):
    """'These are free early childhood education and care, free education, free healthcare, healthy nutrition,
    and adequate housing.'"""
    rows = graph_query.select("""
        SELECT ?note WHERE { file:european-child-guarantee skos:scopeNote ?note }""")
    text = " ".join(r["note"].lower() for r in rows)
    for service in ("early childhood education and care", "education", "healthcare", "nutrition",
                    "adequate housing", "free of charge"):
        assert service in text, service
    assert graph_query.ask("""
        ASK { file:european-child-guarantee dcterms:subject eurovoc:679 , eurovoc:512 , eurovoc:5899 }""")


def test_child_guarantee_adopted_as_council_recommendation_in_2021(graph_query):
    """'The Guarantee was adopted as a Council Recommendation in 2021.'"""
    assert claim_matches(graph_query, "european-child-guarantee", "adopted", "2021", "gYear")
    assert has_event(graph_query, "european-child-guarantee", "adopted", "2021-06-14")
    assert graph_query.ask("""
        ASK { file:european-child-guarantee pkg:hasAdoptedAct <http://data.europa.eu/eli/reco/2021/1004/oj> ;
                  pkg:hasProposal ?p ; pkg:followsProcedure ?proc .
              <http://data.europa.eu/eli/reco/2021/1004/oj> pkg:celex "32021H1004" ;
                  eli:passed_by corporate-body:CONSIL ; eli:date_publication "2021-06-22"^^xsd:date .
              ?p pkg:celex "52021DC0137" ; pkg:comNumber "COM(2021) 137" .
              ?proc dcterms:identifier "2021/0070(NLE)" }""")
    assert current_status(graph_query, "european-child-guarantee") == "published"


def test_child_guarantee_national_action_plans_until_2030(graph_query):
    """'Member states have developed national action plans to implement it until 2030.'"""
    assert graph_query.ask("""
        ASK { file:european-child-guarantee skos:scopeNote ?n .
              FILTER(CONTAINS(LCASE(STR(?n)), "national action plans") && CONTAINS(STR(?n), "2030")) }""")


def test_child_guarantee_openings_and_ecec_mapping(graph_query):
    """'We highlighted promising openings for undocumented children in the Council Recommendation, and mapped
    obstacles and opportunities in early childhood education and care at the national level.'"""
    assert graph_query.ask(f"""
        ASK {{ ?pos oa:hasTarget file:european-child-guarantee ;
                    pkg:stance <{STANCE}welcomes-with-reservations> ;
                    pkg:namesGroup <{GROUP}undocumented-children> ;
                    pkg:raisesConcern <{CONCERN}access-to-services> ;
                    pkg:expressedIn ?openings , ?mapping .
               ?openings dcterms:type <{PUBTYPE}analysis> .
               ?mapping dcterms:type <{PUBTYPE}report> . }}""")


# ---------------------------------------------------------------------------------------------
# Facilitation Directive


def test_facilitation_2023_proposal_criminalises_migration_and_solidarity(graph_query):
    """'The 2023 proposal for a revised Facilitation Directive is meant to fight "migrant smuggling" but will
    likely increase widespread criminalisation of migration and solidarity instead.'"""
    assert claim_matches(graph_query, "facilitation-directive", "proposed", "2023", "gYear")
    assert has_event(graph_query, "facilitation-directive", "proposed", "2023-11-28")
    assert graph_query.ask(f"""
        ASK {{ ?pos oa:hasTarget file:facilitation-directive ; pkg:stance <{STANCE}critical> ;
                    pkg:raisesConcern <{CONCERN}criminalisation-of-migration> ,
                                      <{CONCERN}criminalisation-of-solidarity> ;
                    pkg:namesGroup <{GROUP}people-showing-solidarity> . }}""")


def test_facilitation_identifiers(graph_query):
    assert graph_query.ask("""
        ASK { file:facilitation-directive pkg:hasProposal celex:52023PC0755 ;
                  pkg:hasBaseAct <http://data.europa.eu/eli/dir/2002/90/oj> , celex:32002F0946 ;
                  pkg:followsProcedure ?proc .
              celex:52023PC0755 pkg:comNumber "COM(2023) 755" ; eli:date_document "2023-11-28"^^xsd:date .
              <http://data.europa.eu/eli/dir/2002/90/oj> pkg:celex "32002L0090" .
              celex:32002F0946 a pkg:FrameworkDecision ; pkg:celex "32002F0946" .
              ?proc dcterms:identifier "2023/0439(COD)" ; eli-dl:process_id "2023-0439" }""")


def test_facilitation_currently_negotiated(graph_query):
    """'The draft Directive is currently being negotiated by the EU Council and the European Parliament.'"""
    # Only the Council has a mandate (13 December 2024): by the status definitions the file is still proposed.
    assert has_event(graph_query, "facilitation-directive", "proposed", "2024-12-13")
    assert graph_query.ask("""
        ASK { event:facilitation-directive-council-general-approach prov:wasAssociatedWith corporate-body:CONSIL }""")
    assert not graph_query.ask(f"""
        ASK {{ ?e pkg:eventOf file:facilitation-directive ; pkg:stage <{STATUS}under-negotiation> }}""")
    assert current_status(graph_query, "facilitation-directive") == "proposed"
    assert status_on(graph_query, "facilitation-directive", "2026-01-29") == "proposed"
    # The page's present-tense statement is a claim stated as current on the page's snapshot date, not corroborated.
    assert graph_query.ask(f"""
        ASK {{ ?claim a pkg:LifecycleClaim ; pkg:claimAbout file:facilitation-directive ;
                  pkg:stage <{STATUS}under-negotiation> ; pkg:statedAsCurrentOn ?day ; pkg:statedText ?text ;
                  prov:wasDerivedFrom ?page ; skos:editorialNote ?why .
               ?page pkg:snapshotDate ?day .
               FILTER(?day = "2026-11-29"^^xsd:date && CONTAINS(STR(?text), "currently being negotiated"))
               FILTER NOT EXISTS {{ ?claim pkg:corroboratedBy ?event }} }}""")
    # no provisional agreement was found by the status date
    assert not has_event(graph_query, "facilitation-directive", "provisional-agreement", "20")


# ---------------------------------------------------------------------------------------------
# Long-Term Residents' Directive


def test_ltr_2003_directive(graph_query):
    """'The 2003 Long Term Residents' Directive defines conditions concerning the status of third-country
    nationals who are long-term residents in the European Union.'"""
    assert claim_matches(graph_query, "long-term-residents-directive", "adopted", "2003", "gYear")
    assert graph_query.ask(f"""
        ASK {{ file:long-term-residents-directive pkg:affects <{GROUP}long-term-residents> ;
                   pkg:hasBaseAct <http://data.europa.eu/eli/dir/2003/109/oj> .
               <http://data.europa.eu/eli/dir/2003/109/oj> pkg:celex "32003L0109" ;
                   eli:date_document "2003-11-25"^^xsd:date ;
                   pkg:transpositionDeadline "2006-01-23"^^xsd:date ;
                   eli:amended_by <http://data.europa.eu/eli/dir/2011/51/oj> . }}""")


def test_ltr_revision_proposed_2022_and_council_stopped_negotiations_2024(graph_query):
    """'The European Commission proposed a revision in 2022, but the Council unilaterally stopped negotiations
    in 2024.'"""
    assert claim_matches(graph_query, "long-term-residents-directive", "proposed", "2022", "gYear")
    assert has_event(graph_query, "long-term-residents-directive", "proposed", "2022-04-27")
    assert claim_matches(graph_query, "long-term-residents-directive", "negotiations-stopped", "2024", "gYear")
    assert graph_query.ask("""
        ASK { ?c pkg:claimAbout file:long-term-residents-directive ;
                 pkg:statedText "the Council unilaterally stopped negotiations in 2024"@en ;
                 skos:editorialNote ?note . }""")
    assert current_status(graph_query, "long-term-residents-directive") == "negotiations-stopped"
    assert status_on(graph_query, "long-term-residents-directive", "2024-01-31") == "under-negotiation"
    assert status_on(graph_query, "long-term-residents-directive", "2026-11-29") == "negotiations-stopped"
    assert graph_query.ask("""
        ASK { file:long-term-residents-directive pkg:hasProposal celex:52022PC0650 ; pkg:followsProcedure ?p .
              celex:52022PC0650 pkg:comNumber "COM(2022) 650" .
              ?p dcterms:identifier "2022/0134(COD)" ;
                 owl:sameAs <http://publications.europa.eu/resource/procedure/2022_134> .
              FILTER NOT EXISTS { celex:52022PC0650 pkg:resultedIn ?act } }""")


def test_ltr_recommendations(graph_query):
    """'Our recommendations for the revision can be found here.'"""
    assert publication(graph_query, "long-term-residents-directive", "recommendations", "picum")


# ---------------------------------------------------------------------------------------------
# Schengen Borders Code


def test_sbc_2016_code(graph_query):
    """'The 2016 Schengen Borders Code defines the rules governing border controls at the internal and external
    borders of the Schengen area.'"""
    assert claim_matches(graph_query, "schengen-borders-code", "adopted", "2016", "gYear")
    assert graph_query.ask("""
        ASK { file:schengen-borders-code pkg:hasBaseAct <http://data.europa.eu/eli/reg/2016/399/oj> ;
                  dcterms:subject eurovoc:5405 .
              <http://data.europa.eu/eli/reg/2016/399/oj> pkg:celex "32016R0399" ;
                  eli:first_date_entry_in_force "2016-04-12"^^xsd:date . }""")


def test_sbc_revision_entrenches_profiling_and_pushbacks_adopted_may_2024(graph_query):
    """'Its revision entrenches racial profiling and pushbacks at the internal borders, and was adopted in May
    2024.'"""
    assert claim_matches(graph_query, "schengen-borders-code", "adopted", "2024-05", "gYearMonth")
    assert has_event(graph_query, "schengen-borders-code", "adopted", "2024-05-24")
    assert graph_query.ask(f"""
        ASK {{ ?pos oa:hasTarget file:schengen-borders-code ; pkg:stance <{STANCE}critical> ;
                    pkg:raisesConcern <{CONCERN}racial-profiling> , <{CONCERN}pushbacks> . }}""")
    assert graph_query.ask("""
        ASK { file:schengen-borders-code pkg:hasAdoptedAct <http://data.europa.eu/eli/reg/2024/1717/oj> ;
                  pkg:hasProposal celex:52021PC0891 ; pkg:followsProcedure ?p .
              <http://data.europa.eu/eli/reg/2024/1717/oj> pkg:celex "32024R1717" ;
                  eli:amends <http://data.europa.eu/eli/reg/2016/399/oj> ;
                  eli:date_document "2024-06-13"^^xsd:date ; eli:date_publication "2024-06-20"^^xsd:date ;
                  eli:first_date_entry_in_force "2024-07-10"^^xsd:date .
              celex:52021PC0891 pkg:comNumber "COM(2021) 891" .
              ?p dcterms:identifier "2021/0428(COD)" }""")
    assert current_status(graph_query, "schengen-borders-code") == "applies"


def test_sbc_coordinated_joint_statement_and_2023_political_deal(graph_query):
    """'We coordinated a joint civil society statement on the revision, and further highlighted risks of racial
    profiling in the 2023 political deal.'"""
    assert graph_query.ask(f"""
        ASK {{ ?pub a pkg:Publication ; pkg:about file:schengen-borders-code ;
                    dcterms:type <{PUBTYPE}joint-statement> ; pkg:coordinatedBy porg:picum . }}""")
    # the page's "2023 political deal" matches no official event: the provisional agreement is of 6 February 2024
    assert graph_query.ask(f"""
        ASK {{ ?c pkg:claimAbout file:schengen-borders-code ; pkg:stage <{STATUS}provisional-agreement> ;
                  pkg:statedPeriod "2023"^^xsd:gYear ; skos:editorialNote ?note .
               FILTER NOT EXISTS {{ ?c pkg:corroboratedBy ?e }} }}""")
    assert has_event(graph_query, "schengen-borders-code", "provisional-agreement", "2024-02-06")
    assert not has_event(graph_query, "schengen-borders-code", "provisional-agreement", "2023")
    assert status_on(graph_query, "schengen-borders-code", "2023-12-31") == "under-negotiation"


# ---------------------------------------------------------------------------------------------
# Single Permit Directive


def test_single_permit_directive(graph_query):
    """'The Single Permit Directive sets out a single application procedure for both residence and work
    permits for third-country nationals and defines a common set of rights for third-country workers regularly
    residing in the European Union.'"""
    assert graph_query.ask(f"""
        ASK {{ file:single-permit-directive pkg:affects <{GROUP}third-country-workers> ;
                   pkg:hasBaseAct <http://data.europa.eu/eli/dir/2011/98/oj> .
               <http://data.europa.eu/eli/dir/2011/98/oj> pkg:celex "32011L0098" ;
                   eli:in_force eli:InForce-notInForce ; eli:date_no_longer_in_force "2026-05-21"^^xsd:date . }}""")


def test_single_permit_recast_adopted_april_2024(graph_query):
    """'Its revision mitigates workers' dependence on employers, and was adopted in April 2024.'"""
    assert claim_matches(graph_query, "single-permit-directive", "adopted", "2024-04", "gYearMonth")
    assert has_event(graph_query, "single-permit-directive", "adopted", "2024-04-12")
    assert graph_query.ask(f"""
        ASK {{ file:single-permit-directive pkg:hasAdoptedAct ?recast ; pkg:followsProcedure ?p .
               ?recast a pkg:RecastDirective ; pkg:celex "32024L1233" ;
                   pkg:recasts <http://data.europa.eu/eli/dir/2011/98/oj> ; pkg:resultsFrom celex:52022PC0655 .
               FILTER(?recast = <http://data.europa.eu/eli/dir/2024/1233/oj>)
               ?p dcterms:identifier "2022/0131(COD)" .
               ?pos oa:hasTarget file:single-permit-directive ; pkg:stance <{STANCE}welcomes-with-reservations> ;
                    pkg:assessesInstrument ?recast ;
                    pkg:raisesConcern <{CONCERN}dependence-on-employers> . }}""")
    # "promising aspects" reads as welcomes with reservations, like the Child Guarantee's "promising openings".
    assert not graph_query.ask(f"""
        ASK {{ ?pos oa:hasTarget file:single-permit-directive ; pkg:stance <{STANCE}welcomes> }}""")


def test_single_permit_recast_in_force_and_transposition_deadline(graph_query):
    rows = graph_query.select("""
        SELECT ?eif ?deadline WHERE { <http://data.europa.eu/eli/dir/2024/1233/oj>
            eli:first_date_entry_in_force ?eif ; pkg:transpositionDeadline ?deadline }""")
    assert rows == [{"eif": "2024-05-20", "deadline": "2026-05-21"}]
    assert current_status(graph_query, "single-permit-directive") == "in-force"
    assert status_on(graph_query, "single-permit-directive", "2024-05-19") == "published"


def test_single_permit_joint_statement_2023_and_press_release(graph_query):
    """'We published a joint statement on the revision in 2023, and highlighted promising aspects in a press
    release around its final adoption.'"""
    assert graph_query.ask(f"""
        ASK {{ ?s a pkg:Publication ; pkg:about file:single-permit-directive ;
                  dcterms:type <{PUBTYPE}joint-statement> ; dcterms:issued "2023"^^xsd:gYear .
               ?r a pkg:Publication ; pkg:about file:single-permit-directive ;
                  dcterms:type <{PUBTYPE}press-release> ; pkg:notStatedInSource dcterms:issued . }}""")


# ---------------------------------------------------------------------------------------------
# every status agrees with the latest event on the status date


@pytest.mark.parametrize("file", [
    "eu-funding", "european-care-strategy", "european-child-guarantee", "facilitation-directive",
    "long-term-residents-directive", "schengen-borders-code", "single-permit-directive"])
def test_current_status_is_latest_event(graph_query, file):
    assert current_status(graph_query, file) == status_on(graph_query, file, AS_OF[file])
