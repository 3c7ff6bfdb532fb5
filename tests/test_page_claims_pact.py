"""The source page's claims on the EU Pact on Migration and Asylum and its files, checked against the graph.

One test per claim sentence of the page (Pact package, Screening, Asylum Procedures, Asylum and Migration
Management, Crisis, Recast Return Directive, Eurodac), plus the key identifiers (CELEX, ELI, procedure) and the
"status on date D" answers the official events give.
"""

from __future__ import annotations

import pytest

PAGE = "<https://picum.org/our-work/>"
STATUS = "https://w3id.org/policykg/concept/lifecycle-status/"
CONCERN = "https://w3id.org/policykg/concept/concern/"
GROUP = "https://w3id.org/policykg/concept/affected-group/"
PUBTYPE = "https://w3id.org/policykg/concept/publication-type/"

PACT_PARTS = [
    "screening-regulation",
    "asylum-procedures-regulation",
    "asylum-and-migration-management-regulation",
    "crisis-regulation",
    "eurodac-regulation",
    "recast-return-directive",
]


def status_on(graph_query, slug: str, day: str) -> set[str]:
    """The stage(s) of the latest official event of file:<slug> on or before ``day``."""
    rows = graph_query.select(f"""
        SELECT ?stage WHERE {{
            ?e pkg:eventOf file:{slug} ; eli-dl:activity_date ?d ; pkg:stage ?stage .
            FILTER(?d <= "{day}"^^xsd:date)
            FILTER NOT EXISTS {{
                ?later pkg:eventOf file:{slug} ; eli-dl:activity_date ?d2 .
                FILTER(?d2 > ?d && ?d2 <= "{day}"^^xsd:date)
            }}
        }}""")
    return {row["stage"].removeprefix(STATUS) for row in rows}


def has_event(graph_query, slug: str, stage: str, day: str) -> bool:
    return graph_query.ask(f"""
        ASK {{ ?e a pkg:LifecycleEvent ; pkg:eventOf file:{slug} ; pkg:stage <{STATUS}{stage}> ;
                  eli-dl:activity_date "{day}"^^xsd:date ; dcterms:source ?src . }}""")


# ---------------------------------------------------------------------------------------------
# EU Migration Pact (package)

def test_pact_is_a_policy_document_and_a_package_of_proposals(graph_query):
    """'The EU Pact on Migration and Asylum is a policy document that sets out the EU's agenda on migration for
    the years to come and a package of legislative proposals and recommendations.'"""
    assert graph_query.ask("""
        ASK { file:eu-migration-pact a pkg:PolicyPackage ;
                  pkg:fileKind <https://w3id.org/policykg/concept/file-kind/policy-package> ;
                  pkg:hasRelatedDocument celex:52020DC0609 ;
                  dcterms:description ?d ; dcterms:source <https://picum.org/our-work/> .
              celex:52020DC0609 a pkg:Communication ; pkg:celex "52020DC0609" ; pkg:comNumber "COM(2020) 609" ;
                  eli:type_document resource-type:COMMUNIC ; eli:date_document "2020-09-23"^^xsd:date . }""")
    # the package of proposals tabled with the Communication on 23 September 2020, reached through its parts
    rows = graph_query.select("""
        SELECT DISTINCT ?com WHERE {
            file:eu-migration-pact pkg:hasPart ?part . ?part pkg:hasProposal ?p .
            ?p a pkg:Proposal ; pkg:comNumber ?com ; eli:date_document "2020-09-23"^^xsd:date . }""")
    assert {r["com"] for r in rows} == {f"COM(2020) {n}" for n in (610, 611, 612, 613, 614)}


def test_pact_package_parts(graph_query):
    rows = graph_query.select("SELECT ?part WHERE { file:eu-migration-pact pkg:hasPart ?part }")
    assert {r["part"].rsplit("/", 1)[1] for r in rows} == set(PACT_PARTS)
    for slug in PACT_PARTS:
        assert graph_query.ask(f"ASK {{ file:{slug} a pkg:PolicyFile ; pkg:isPartOf file:eu-migration-pact }}"), slug


def test_pact_related_documents_are_the_other_adopted_acts(graph_query):
    rows = graph_query.select("""
        SELECT ?celex WHERE { file:eu-migration-pact pkg:hasRelatedDocument ?doc . ?doc pkg:celex ?celex }""")
    # the Communication, the five other adopted acts, and the Commission's Migration Preparedness and Crisis
    # Blueprint recommendation of the same day ("a package of legislative proposals and recommendations")
    assert {r["celex"] for r in rows} == {
        "52020DC0609", "32024L1346", "32024R1347", "32024R1349", "32024R1350", "32024R1352", "32020H1366"}
    # the Reception Conditions Directive recasts Directive 2013/33/EU; the Qualification Regulation repeals 2011/95/EU
    assert graph_query.ask("""
        ASK { <http://data.europa.eu/eli/dir/2024/1346/oj> a pkg:RecastDirective ;
                  pkg:recasts <http://data.europa.eu/eli/dir/2013/33/oj> ;
                  pkg:transpositionDeadline "2026-06-12"^^xsd:date .
              <http://data.europa.eu/eli/dir/2013/33/oj> pkg:celex "32013L0033" .
              <http://data.europa.eu/eli/reg/2024/1347/oj> eli:repeals <http://data.europa.eu/eli/dir/2011/95/oj> ;
                  eli:date_applicability "2026-07-01"^^xsd:date .
              <http://data.europa.eu/eli/dir/2011/95/oj> pkg:celex "32011L0095" . }""")
    # the return border procedure is part B of the split APR procedure
    assert graph_query.ask("""
        ASK { <http://data.europa.eu/eli/reg/2024/1349/oj> pkg:followsProcedure ?p .
              ?p dcterms:identifier "2016/0224B(COD)" ; eli-dl:process_id "2016-0224B" . }""")


def test_pact_was_adopted_in_april_2024_claim(graph_query):
    """'The Pact was adopted in April 2024.' Kept as a claim; it is not corroborated by an adoption event."""
    assert graph_query.ask(f"""
        ASK {{ claim:eu-migration-pact-adopted a pkg:LifecycleClaim ;
                  pkg:claimAbout file:eu-migration-pact ; pkg:stage <{STATUS}adopted> ;
                  pkg:statedPeriod "2024-04"^^xsd:gYearMonth ;
                  pkg:statedText "The Pact was adopted in April 2024"@en ;
                  prov:wasDerivedFrom {PAGE} ; skos:editorialNote ?note . }}""")
    assert not graph_query.ask("ASK { claim:eu-migration-pact-adopted pkg:corroboratedBy ?e }")


def test_pact_official_events_contradict_april_adoption(graph_query):
    """What the official events say: formal adoption on 14 May 2024, none in April 2024."""
    assert has_event(graph_query, "eu-migration-pact", "adopted", "2024-05-14")
    assert not graph_query.ask(f"""
        ASK {{ ?e pkg:eventOf file:eu-migration-pact ; pkg:stage <{STATUS}adopted> ; eli-dl:activity_date ?d .
               FILTER(STRSTARTS(STR(?d), "2024-04")) }}""")
    # Parliament's April vote is recorded in the adoption event's label
    assert graph_query.ask("""
        ASK { event:eu-migration-pact-adopted rdfs:label ?l . FILTER(CONTAINS(STR(?l), "10 April 2024")) }""")
    assert has_event(graph_query, "eu-migration-pact", "proposed", "2020-09-23")
    assert has_event(graph_query, "eu-migration-pact", "provisional-agreement", "2023-12-20")
    assert has_event(graph_query, "eu-migration-pact", "published", "2024-05-22")
    assert has_event(graph_query, "eu-migration-pact", "in-force", "2024-06-11")
    assert has_event(graph_query, "eu-migration-pact", "applies", "2026-06-12")
    assert has_event(graph_query, "eu-migration-pact", "applies", "2026-07-01")
    assert status_on(graph_query, "eu-migration-pact", "2024-04-30") == {"provisional-agreement"}
    assert status_on(graph_query, "eu-migration-pact", "2025-01-01") == {"in-force"}
    assert graph_query.ask(f"""
        ASK {{ file:eu-migration-pact pkg:currentStatus <{STATUS}applies> ;
                  pkg:statusAsOf "2026-07-01"^^xsd:date . }}""")


def test_pact_faq_and_brief(graph_query):
    """'We unpacked the Pact in this FAQ, and highlighted overall concerns in this brief.'"""
    for slug, kind in (("eu-migration-pact-faq", "faq"), ("eu-migration-pact-brief", "brief")):
        assert graph_query.ask(f"""
            ASK {{ publication:{slug} a pkg:Publication ; dcterms:type <{PUBTYPE}{kind}> ;
                      pkg:about file:eu-migration-pact ; dcterms:creator porg:picum ;
                      pkg:notStatedInSource dcterms:title , dcterms:issued .
                   position:eu-migration-pact pkg:expressedIn publication:{slug} . }}"""), slug


def test_pact_analyses_of_rights_risks(graph_query):
    """'We also analysed risks of rights violations linked to immigration detention, pushbacks, child rights
    and access to national permits.'"""
    rows = graph_query.select(f"""
        SELECT ?concern WHERE {{
            position:eu-migration-pact a pkg:Position ; oa:hasTarget file:eu-migration-pact ;
                pkg:stance <https://w3id.org/policykg/concept/stance/critical> ;
                dcterms:creator porg:picum ; prov:wasDerivedFrom {PAGE} ; pkg:raisesConcern ?concern . }}""")
    assert {r["concern"].removeprefix(CONCERN) for r in rows} == {
        "immigration-detention", "pushbacks", "child-rights", "access-to-national-permits"}
    rows = graph_query.select(f"""
        SELECT ?pub WHERE {{ ?pub a pkg:Publication ; dcterms:type <{PUBTYPE}analysis> ;
                                 pkg:about file:eu-migration-pact ; dcterms:creator porg:picum .
                             position:eu-migration-pact pkg:expressedIn ?pub . }}""")
    assert len(rows) == 4
    assert graph_query.ask(f"ASK {{ position:eu-migration-pact pkg:namesGroup <{GROUP}children> }}")


# ---------------------------------------------------------------------------------------------
# Screening Regulation

def test_screening_regulation_pre_entry_screening(graph_query):
    """'The Screening Regulation introduces a "pre-entry" screening of third country nationals at the EU's
    external borders.'"""
    assert graph_query.ask(f"""
        ASK {{ file:screening-regulation a pkg:PolicyFile ; skos:prefLabel "Screening Regulation"@en ;
                  dcterms:description ?d ; pkg:affects <{GROUP}third-country-nationals> ;
                  pkg:workArea <https://w3id.org/policykg/concept/work-area/borders> ;
                  dcterms:subject eurovoc:5649 ;
                  pkg:hasAdoptedAct <http://data.europa.eu/eli/reg/2024/1356/oj> ;
                  pkg:hasProposal celex:52020PC0612 ;
                  pkg:followsProcedure <https://data.europarl.europa.eu/eli/dl/proc/2020-0278> .
               <http://data.europa.eu/eli/reg/2024/1356/oj> a pkg:Regulation ; pkg:celex "32024R1356" ;
                  eli:title ?t ; eli:date_applicability "2026-06-12"^^xsd:date .
               FILTER(CONTAINS(STR(?t), "screening of third-country nationals at the external borders")) }}""")
    assert has_event(graph_query, "screening-regulation", "adopted", "2024-05-14")
    assert has_event(graph_query, "screening-regulation", "applies", "2026-06-12")
    # The Council's mandate (22 June 2022) alone leaves the file proposed; negotiations open with Parliament's (20 April 2023).
    assert status_on(graph_query, "screening-regulation", "2023-01-01") == {"proposed"}
    assert status_on(graph_query, "screening-regulation", "2023-06-01") == {"under-negotiation"}


# ---------------------------------------------------------------------------------------------
# Asylum Procedures Regulation

def test_asylum_procedures_regulation_common_procedure(graph_query):
    """'The Asylum Procedures Regulation establishes a common procedure for international protection in the
    European Union.'"""
    assert graph_query.ask("""
        ASK { file:asylum-procedures-regulation pkg:hasAdoptedAct ?act ; dcterms:description ?d ;
                  pkg:hasBaseAct <http://data.europa.eu/eli/dir/2013/32/oj> ;
                  pkg:hasProposal celex:52016PC0467 , celex:52020PC0611 .
              ?act pkg:celex "32024R1348" ; eli:title ?t ;
                  eli:repeals <http://data.europa.eu/eli/dir/2013/32/oj> .
              <http://data.europa.eu/eli/dir/2013/32/oj> pkg:celex "32013L0032" ;
                  eli:in_force eli:InForce-notInForce .
              FILTER(CONTAINS(STR(?t), "establishing a common procedure for international protection in the Union")) }""")
    # the split procedure: part A, never the unsuffixed form
    rows = graph_query.select("""
        SELECT ?ref WHERE { file:asylum-procedures-regulation pkg:followsProcedure ?p . ?p dcterms:identifier ?ref }""")
    assert [r["ref"] for r in rows] == ["2016/0224A(COD)"]
    assert has_event(graph_query, "asylum-procedures-regulation", "proposed", "2016-07-13")
    assert has_event(graph_query, "asylum-procedures-regulation", "under-negotiation", "2023-06-08")
    assert has_event(graph_query, "asylum-procedures-regulation", "applies", "2026-06-12")
    # amended before it applied by the safe third country and safe countries of origin Regulations
    rows = graph_query.select("""
        SELECT ?celex WHERE { ?a eli:amends <http://data.europa.eu/eli/reg/2024/1348/oj> ; pkg:celex ?celex }""")
    assert {r["celex"] for r in rows} == {"32026R0463", "32026R0464"}


# ---------------------------------------------------------------------------------------------
# Regulation on Asylum and Migration Management

def test_ammr_replaces_dublin_regulation(graph_query):
    """'The Regulation on Asylum and Migration Management aims at replacing the current Dublin Regulation and
    introducing rules on responsibility sharing for examining international protection applications.'"""
    assert graph_query.ask("""
        ASK { file:asylum-and-migration-management-regulation
                  pkg:hasAdoptedAct <http://data.europa.eu/eli/reg/2024/1351/oj> ;
                  pkg:hasBaseAct <http://data.europa.eu/eli/reg/2013/604/oj> ;
                  pkg:followsProcedure ?proc .
              ?proc dcterms:identifier "2020/0279(COD)" .
              <http://data.europa.eu/eli/reg/2024/1351/oj> pkg:celex "32024R1351" ;
                  eli:repeals <http://data.europa.eu/eli/reg/2013/604/oj> ;
                  eli:date_applicability "2026-07-01"^^xsd:date .
              <http://data.europa.eu/eli/reg/2013/604/oj> a pkg:Regulation ; pkg:celex "32013R0604" ;
                  eli:type_document resource-type:REG ; eli:title ?t ; dcterms:source ?src ;
                  eli:repealed_by <http://data.europa.eu/eli/reg/2024/1351/oj> ;
                  eli:date_no_longer_in_force "2026-06-30"^^xsd:date ; eli:in_force eli:InForce-notInForce .
              FILTER(CONTAINS(STR(?t), "No 604/2013")) }""")
    # 'current' Dublin: in force when the page's claim was made, replaced when the AMMR applied
    assert status_on(graph_query, "asylum-and-migration-management-regulation", "2026-06-30") == {"in-force"}
    assert status_on(graph_query, "asylum-and-migration-management-regulation", "2026-07-01") == {"applies"}


# ---------------------------------------------------------------------------------------------
# Crisis Regulation

def test_crisis_regulation_derogations(graph_query):
    """'The Crisis Regulation provides specific derogations to the asylum rules in situations of crisis, risk of
    crisis or force majeure.'"""
    assert graph_query.ask("""
        ASK { file:crisis-regulation pkg:hasAdoptedAct ?act ; pkg:hasProposal celex:52020PC0613 ;
                  pkg:followsProcedure ?proc ; dcterms:description ?d ; skos:editorialNote ?note .
              ?proc dcterms:identifier "2020/0277(COD)" ;
                  owl:sameAs <http://publications.europa.eu/resource/procedure/2020_277> .
              ?act pkg:celex "32024R1359" ; eli:title ?t ; eli:date_applicability "2026-07-01"^^xsd:date .
              FILTER(CONTAINS(STR(?t), "situations of crisis and force majeure")) }""")
    assert has_event(graph_query, "crisis-regulation", "under-negotiation", "2023-10-04")
    assert has_event(graph_query, "crisis-regulation", "applies", "2026-07-01")
    assert status_on(graph_query, "crisis-regulation", "2026-06-15") == {"in-force"}


# ---------------------------------------------------------------------------------------------
# Recast Return Directive

def test_recast_return_directive_standards_for_deportation(graph_query):
    """'The Recast Return Directive defines common standards and procedures in Member States for deporting
    third-country nationals in an irregular situation.'"""
    assert graph_query.ask(f"""
        ASK {{ file:recast-return-directive pkg:hasBaseAct <http://data.europa.eu/eli/dir/2008/115/oj> ;
                  pkg:hasProposal celex:52018PC0634 , celex:52025PC0101 ;
                  pkg:affects <{GROUP}undocumented-people> .
               <http://data.europa.eu/eli/dir/2008/115/oj> pkg:celex "32008L0115" ; eli:in_force eli:InForce-inForce ;
                  eli:title ?t .
               FILTER(CONTAINS(STR(?t), "common standards and procedures in Member States for returning")) }}""")
    # the 2018 recast stalled and was superseded by the 2025 Return Regulation proposal
    assert graph_query.ask("""
        ASK { celex:52018PC0634 pkg:comNumber "COM(2018) 634" ; pkg:followsProcedure ?old ;
                  dcterms:isReplacedBy celex:52025PC0101 .
              ?old dcterms:identifier "2018/0329(COD)" .
              celex:52025PC0101 pkg:comNumber "COM(2025) 101" ; eli:date_document "2025-03-11"^^xsd:date ;
                  pkg:followsProcedure ?new .
              ?new dcterms:identifier "2025/0059(COD)" . }""")
    assert has_event(graph_query, "recast-return-directive", "proposed", "2018-09-12")
    # The Council's partial general approach: Parliament never adopted a mandate on the 2018 proposal.
    assert has_event(graph_query, "recast-return-directive", "proposed", "2019-06-07")
    # The supersession is a fact of the 2018 proposal; the file's life goes on with the new proposal.
    assert not has_event(graph_query, "recast-return-directive", "superseded", "2025-03-11")
    assert graph_query.ask('ASK { celex:52018PC0634 skos:historyNote ?note . FILTER(CONTAINS(?note, "11 March 2025")) }')
    assert has_event(graph_query, "recast-return-directive", "proposed", "2025-03-11")
    assert status_on(graph_query, "recast-return-directive", "2025-06-01") == {"proposed"}
    assert has_event(graph_query, "recast-return-directive", "proposed", "2025-12-08")  # the Council's mandate alone
    assert has_event(graph_query, "recast-return-directive", "under-negotiation", "2026-03-26")
    assert has_event(graph_query, "recast-return-directive", "provisional-agreement", "2026-06-01")
    assert not graph_query.ask(f"""
        ASK {{ ?e pkg:eventOf file:recast-return-directive ; pkg:stage ?s .
               FILTER(?s IN (<{STATUS}adopted>, <{STATUS}withdrawn>)) }}""")
    assert status_on(graph_query, "recast-return-directive", "2020-01-01") == {"proposed"}
    assert status_on(graph_query, "recast-return-directive", "2026-01-01") == {"proposed"}
    assert status_on(graph_query, "recast-return-directive", "2026-04-01") == {"under-negotiation"}
    assert status_on(graph_query, "recast-return-directive", "2026-06-02") == {"provisional-agreement"}
    assert graph_query.ask(f"""
        ASK {{ file:recast-return-directive pkg:currentStatus <{STATUS}provisional-agreement> ;
                  pkg:statusAsOf "2026-06-02"^^xsd:date . }}""")


# ---------------------------------------------------------------------------------------------
# Eurodac Regulation (paragraph without a heading on the page)

def test_eurodac_biometric_database(graph_query):
    """'The Eurodac Regulation establishes a database of biometric data for identifying third-country nationals or
    stateless people in an irregular situation and for law enforcement purposes.'"""
    assert graph_query.ask("""
        ASK { file:eurodac-regulation a pkg:PolicyFile ; dcterms:subject eurovoc:7410 , eurovoc:4821 ;
                  pkg:hasAdoptedAct ?act ; pkg:hasBaseAct <http://data.europa.eu/eli/reg/2013/603/oj> ;
                  pkg:hasProposal celex:52016PC0272 , celex:52020PC0614 ; pkg:followsProcedure ?proc .
              ?proc dcterms:identifier "2016/0132(COD)" .
              ?act pkg:celex "32024R1358" ; eli:title ?t ;
                  eli:repeals <http://data.europa.eu/eli/reg/2013/603/oj> ;
                  eli:date_applicability "2026-06-12"^^xsd:date , "2029-06-12"^^xsd:date .
              <http://data.europa.eu/eli/reg/2013/603/oj> pkg:celex "32013R0603" ; eli:title ?old .
              FILTER(CONTAINS(STR(?t), "comparison of biometric data"))
              FILTER(CONTAINS(STR(?t), "law enforcement purposes")) }""")
    assert has_event(graph_query, "eurodac-regulation", "proposed", "2016-05-04")
    assert has_event(graph_query, "eurodac-regulation", "applies", "2026-06-12")


# ---------------------------------------------------------------------------------------------
# Key identifiers

ACTS = [
    # (ELI, CELEX, procedure, OJ reference)
    ("http://data.europa.eu/eli/reg/2024/1356/oj", "32024R1356", "2020/0278(COD)", "OJ L, 2024/1356, 22.5.2024"),
    ("http://data.europa.eu/eli/reg/2024/1348/oj", "32024R1348", "2016/0224A(COD)", "OJ L, 2024/1348, 22.5.2024"),
    ("http://data.europa.eu/eli/reg/2024/1351/oj", "32024R1351", "2020/0279(COD)", "OJ L, 2024/1351, 22.5.2024"),
    ("http://data.europa.eu/eli/reg/2024/1359/oj", "32024R1359", "2020/0277(COD)", "OJ L, 2024/1359, 22.5.2024"),
    ("http://data.europa.eu/eli/reg/2024/1358/oj", "32024R1358", "2016/0132(COD)", "OJ L, 2024/1358, 22.5.2024"),
    ("http://data.europa.eu/eli/dir/2024/1346/oj", "32024L1346", "2016/0222(COD)", "OJ L, 2024/1346, 22.5.2024"),
    ("http://data.europa.eu/eli/reg/2024/1347/oj", "32024R1347", "2016/0223(COD)", "OJ L, 2024/1347, 22.5.2024"),
    ("http://data.europa.eu/eli/reg/2024/1349/oj", "32024R1349", "2016/0224B(COD)", "OJ L, 2024/1349, 22.5.2024"),
    ("http://data.europa.eu/eli/reg/2024/1350/oj", "32024R1350", "2016/0225(COD)", "OJ L, 2024/1350, 22.5.2024"),
    ("http://data.europa.eu/eli/reg/2024/1352/oj", "32024R1352", "2021/0046(COD)", "OJ L, 2024/1352, 22.5.2024"),
    ("http://data.europa.eu/eli/dir/2008/115/oj", "32008L0115", "2005/0167(COD)", "OJ L 348, 24.12.2008, p. 98–107"),
]


@pytest.mark.parametrize("eli, celex, procedure, oj", ACTS, ids=[a[1] for a in ACTS])
def test_act_identifiers(graph_query, eli, celex, procedure, oj):
    assert graph_query.ask(f"""
        ASK {{ <{eli}> pkg:celex "{celex}" ; pkg:ojReference "{oj}" ; pkg:followsProcedure ?p ;
                  dcterms:source ?src .
               ?p dcterms:identifier "{procedure}" . }}""")


def test_pact_acts_share_their_dates(graph_query):
    rows = graph_query.select("""
        SELECT ?act WHERE {
            ?act pkg:celex ?celex ; eli:date_document "2024-05-14"^^xsd:date ;
                 eli:date_publication "2024-05-22"^^xsd:date ; eli:first_date_entry_in_force "2024-06-11"^^xsd:date .
            FILTER(STRSTARTS(?celex, "32024")) }""")
    assert {r["act"] for r in rows} >= {a[0] for a in ACTS if a[1].startswith("32024")}


PROPOSALS = [
    ("52020PC0612", "COM(2020) 612", "2020-09-23"),
    ("52016PC0467", "COM(2016) 467", "2016-07-13"),
    ("52020PC0611", "COM(2020) 611", "2020-09-23"),
    ("52020PC0610", "COM(2020) 610", "2020-09-23"),
    ("52020PC0613", "COM(2020) 613", "2020-09-23"),
    ("52016PC0272", "COM(2016) 272", "2016-05-04"),
    ("52020PC0614", "COM(2020) 614", "2020-09-23"),
    ("52018PC0634", "COM(2018) 634", "2018-09-12"),
    ("52025PC0101", "COM(2025) 101", "2025-03-11"),
]


@pytest.mark.parametrize("celex, com, day", PROPOSALS, ids=[p[0] for p in PROPOSALS])
def test_proposal_identifiers(graph_query, celex, com, day):
    assert graph_query.ask(f"""
        ASK {{ celex:{celex} a pkg:Proposal ; pkg:celex "{celex}" ; pkg:comNumber "{com}" ;
                  eli:date_document "{day}"^^xsd:date ; eli:responsibility_of_agent corporate-body:COM . }}""")


def test_split_procedures_have_no_cellar_iri(graph_query):
    for proc in ("2016-0224A", "2016-0224B"):
        assert not graph_query.ask(
            f"ASK {{ <https://data.europarl.europa.eu/eli/dl/proc/{proc}> owl:sameAs ?x }}"), proc
