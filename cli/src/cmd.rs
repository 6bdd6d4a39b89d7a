//! The command line, as clap derive types: the commands, their arguments, and the help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::error::EXIT_STATUSES;
use crate::price;

const ABOUT: &str = "The café's menu from the command line: list it, change prices, tags, \
                     stock and specials, add and remove products, upload menu files.";

const LONG_ABOUT: &str = "The café's menu from the command line: list it, change prices, tags, \
stock and specials, add and remove products, upload menu files.

With no option it talks to the `make run` system of the checkout it runs in (found from the \
current directory upward, or $CAFE_LOCAL_DIR). --stack NAME talks to a deployed stack (its API, \
sign-in and table from the stack's outputs; reading them needs AWS credentials), --api URL \
--client-id ID --region R to a deployed API without any.

Reading the menu needs nothing. Changing it needs a staff login: `cafe-menu login` once (the \
tokens are kept in your config folder, readable by you only, and refreshed as needed); \
`cafe-menu logout` forgets them. Only load, create-table and check-table use AWS credentials.

Each change reads the product, changes it, and writes it back only if nobody changed it in \
between; if somebody did, nothing is written and what they changed is shown. With --if-version N \
a change (or remove) is written only if the product is still at version N, the version `show` \
or `list` gave you, however long ago.";

fn after_help() -> String {
    format!(
        "Prices: {}. Refused: a comma (4,50), more than two decimals (4.505), a sign, anything \
         else.\n\n{EXIT_STATUSES}",
        price::FORMS
    )
}

#[derive(Debug, Parser)]
#[command(
    name = "cafe-menu",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = after_help(),
    propagate_version = true
)]
pub struct Cli {
    /// JSON on stdout for scripts (the API's own forms), instead of tables for people
    #[arg(long, global = true)]
    pub json: bool,

    #[command(flatten)]
    pub target: TargetArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Where it points. Default: the `make run` system of this checkout.
#[derive(Debug, Args)]
#[command(next_help_heading = "Where it points (default: the `make run` system of this checkout)")]
pub struct TargetArgs {
    /// A deployed stack: API, sign-in and table from its outputs (needs AWS credentials to read them)
    #[arg(
        long,
        global = true,
        env = "CAFE_MENU_STACK",
        value_name = "NAME",
        conflicts_with = "api"
    )]
    pub stack: Option<String>,

    /// For load, create-table and check-table: a table in your AWS account (standard credential
    /// chain), no stack needed, e.g. check-table --aws --table FoodProducts before adopting it
    #[arg(long, global = true, conflicts_with_all = ["stack", "api"])]
    pub aws: bool,

    /// The AWS region (default: AWS_REGION or your AWS profile's)
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,

    /// Any other deployment: the API base URL (the stack's ApiUrl)
    #[arg(long, global = true, env = "CAFE_MENU_API", value_name = "URL")]
    pub api: Option<String>,

    /// With --api: the user pool's app client staff log in with (the stack's UserPoolClientId)
    #[arg(long, global = true, env = "CAFE_MENU_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,

    /// The menu table (default: the target's; FoodProducts)
    #[arg(long, global = true, value_name = "NAME")]
    pub table: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The menu as a table: name, price, tags, special, version
    List {
        /// Only the specials on offer now (out of stock ones left out), as the website shows them
        #[arg(long)]
        specials: bool,
    },

    /// One product, every field
    Show { name: String },

    /// Add a product (never overwrites: a name on the menu already is refused)
    Add(AddArgs),

    /// Change a product's price
    #[command(after_help = format!("Prices: {}.", price::FORMS))]
    SetPrice {
        name: String,
        /// The new price: 4.50, $4.50, 4 or 450c
        #[arg(value_parser = price::parse_price, allow_hyphen_values = true)]
        price: i64,
        #[command(flatten)]
        at: IfVersion,
    },

    /// Add a tag to a product
    Tag {
        name: String,
        tag: String,
        #[command(flatten)]
        at: IfVersion,
    },

    /// Take a tag off a product
    Untag {
        name: String,
        tag: String,
        #[command(flatten)]
        at: IfVersion,
    },

    /// Mark a product out of stock (tag "out of stock": off the specials list)
    OutOfStock {
        name: String,
        #[command(flatten)]
        at: IfVersion,
    },

    /// Mark a product in stock again
    InStock {
        name: String,
        #[command(flatten)]
        at: IfVersion,
    },

    /// Make a product a special, or not
    Special {
        name: String,
        #[arg(value_enum)]
        state: OnOff,
        #[command(flatten)]
        at: IfVersion,
    },

    /// Remove a product from the menu (asks first, unless --yes)
    Remove {
        name: String,
        /// Do not ask (needed when stdin is not a terminal)
        #[arg(long, short)]
        yes: bool,
        #[command(flatten)]
        at: IfVersion,
    },

    /// Log in as a member of the staff (asks on a terminal; --password-stdin for scripts)
    Login {
        /// The staff member's user name (asked when not given)
        #[arg(long)]
        username: Option<String>,
        /// Read the password from the first line of stdin
        #[arg(long)]
        password_stdin: bool,
    },

    /// Forget the login
    Logout,

    /// The menu report (what the website's "report" button makes): written to the upload bucket
    Report,

    /// Upload a menu file and wait for its load report (exit 0 loaded, 2 rejected, 1 failed)
    Upload {
        /// A menu file: {"product_item_arr": [...]} or a JSON array of products, in the website's form
        file: PathBuf,
        /// The name to upload it as (default: the file's name; must end in .json)
        #[arg(long, value_name = "NAME.json")]
        name: Option<String>,
        /// Seconds to wait for the report
        #[arg(long, default_value_t = 330, value_name = "SECONDS")]
        timeout: u64,
        /// Nothing written: what loading it would do to the menu now (judged as the loader
        /// judges it; what it would insert, leave unchanged, each conflict field by field; the
        /// read cost); exit 0 it would load, 2 rejected
        #[arg(long)]
        dry_run: bool,
    },

    /// Take back a load: its products nobody changed since are removed; those changed since
    /// are kept, and named with who changed them
    UndoLoad {
        /// The menu file's name, as uploaded (its newest load, unless --upload)
        file_name: String,
        /// Which upload of it (the upload id its report names)
        #[arg(long, value_name = "ID")]
        upload: Option<String>,
    },

    /// Set a product's photo: the website shows it as the product's picture (exit 0 done, 2 refused, 1 failed)
    Photo {
        /// The product's name, as the menu lists it
        name: String,
        /// A photo: JPEG, PNG or WebP, up to 15 MB and 25 megapixels
        file: PathBuf,
        /// Where to centre the 3:2 picture, as fractions across and down the photo (default: the middle)
        #[arg(long, value_name = "X,Y", value_parser = crate::photo::parse_focus)]
        focus: Option<cafe_menu::product::picture::Focus>,
        /// Seconds to wait for the picture
        #[arg(long, default_value_t = 120, value_name = "SECONDS")]
        timeout: u64,
    },

    /// Who changed what and when: a product's history, or the whole menu's recent changes
    History {
        /// The product (default: the whole menu's recent changes)
        name: Option<String>,
        /// How many changes, newest first (a page: at most 100)
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u16).range(1..=100))]
        limit: u16,
    },

    /// Put a product back as it was at an earlier version (a removed one too); refused, with
    /// nothing written, if somebody changed it since (exit 3)
    Revert {
        name: String,
        /// The version to go back to, as `history NAME` lists it
        #[arg(long, value_name = "N")]
        to_version: u64,
        #[command(flatten)]
        at: IfVersion,
    },

    /// Load a menu file straight into a table (a migration; the bulk loader's own checks, insert-only)
    Load {
        file: PathBuf,
        #[command(flatten)]
        table: DirectTable,
        /// Conditional puts in flight at once (default 32)
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        concurrency: Option<u16>,
    },

    /// Create the menu table and special_GSI unless they exist (for a local DynamoDB)
    CreateTable {
        #[command(flatten)]
        table: DirectTable,
    },

    /// Check that a table has the keys and index the functions expect (exit 0 yes, 1 no)
    CheckTable {
        #[command(flatten)]
        table: DirectTable,
    },
}

/// The version a change or a removal must find.
#[derive(Debug, Args)]
pub struct IfVersion {
    /// Write only if the product is still at version N (as `show` or `list` gave it); if it is
    /// not, nothing is written, the product is shown as it is now, and the exit status is 3
    #[arg(long, value_name = "N")]
    pub if_version: Option<u64>,
}

/// A table named outright (the commands that go to DynamoDB directly).
#[derive(Debug, Args)]
pub struct DirectTable {
    /// A DynamoDB endpoint, such as a DynamoDB Local (default: the target's)
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The product's name (or give --file)
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    pub name: Option<String>,

    /// Its price: 4.50, $4.50, 4 or 450c
    #[arg(long, value_parser = price::parse_price, allow_hyphen_values = true,
          required_unless_present = "file", conflicts_with = "file")]
    pub price: Option<i64>,

    /// Its id (default: the next in the menu's series, a467 → a468)
    #[arg(long, conflicts_with = "file")]
    pub id: Option<String>,

    /// What the website shows under the name
    #[arg(long, conflicts_with = "file", value_name = "TEXT")]
    pub description: Option<String>,

    /// A tag (repeat for more)
    #[arg(long = "tag", conflicts_with = "file", value_name = "TAG")]
    pub tags: Vec<String>,

    /// Make it a special
    #[arg(long, conflicts_with = "file")]
    pub special: bool,

    /// A product in the website's JSON form (see openapi.yaml's NewProduct)
    #[arg(long, value_name = "product.json")]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_price_it_cannot_read_is_a_usage_error_naming_the_forms() {
        let err = Cli::try_parse_from(["cafe-menu", "set-price", "scone", "4,50"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation);
        assert!(
            err.to_string().contains("a comma could be a decimal point"),
            "{err}"
        );
        let err = Cli::try_parse_from(["cafe-menu", "set-price", "scone", "-1"]).unwrap_err();
        assert!(err.to_string().contains("cannot be negative"), "{err}");
        let cli = Cli::try_parse_from(["cafe-menu", "set-price", "scone", "$4.50"]).unwrap();
        assert!(matches!(cli.command, Command::SetPrice { price: 450, .. }));
    }

    #[test]
    fn every_write_takes_if_version_and_no_read_does() {
        let parse = |args: &[&str]| Cli::try_parse_from([&["cafe-menu"], args].concat());
        for args in [
            &["set-price", "scone", "4"][..],
            &["tag", "scone", "vegan"],
            &["untag", "scone", "vegan"],
            &["out-of-stock", "scone"],
            &["in-stock", "scone"],
            &["special", "scone", "on"],
            &["remove", "scone", "--yes"],
        ] {
            let cli = parse(&[args, &["--if-version", "7"]].concat()).unwrap();
            let at = match cli.command {
                Command::SetPrice { at, .. }
                | Command::Tag { at, .. }
                | Command::Untag { at, .. }
                | Command::OutOfStock { at, .. }
                | Command::InStock { at, .. }
                | Command::Special { at, .. }
                | Command::Remove { at, .. } => at,
                other => panic!("{other:?}"),
            };
            assert_eq!(at.if_version, Some(7), "{args:?}");
            assert!(parse(&[args, &["--if-version", "seven"]].concat()).is_err());
        }
        assert!(parse(&["show", "scone", "--if-version", "7"]).is_err());
        assert!(parse(&["list", "--if-version", "7"]).is_err());
    }

    #[test]
    fn add_takes_options_or_a_file() {
        let cli = Cli::try_parse_from([
            "cafe-menu",
            "add",
            "cheese scone",
            "--price",
            "3.50",
            "--tag",
            "savoury",
            "--tag",
            "bakery",
            "--special",
        ])
        .unwrap();
        let Command::Add(add) = cli.command else {
            panic!()
        };
        assert_eq!(
            (add.price, add.tags.len(), add.special),
            (Some(350), 2, true)
        );
        assert!(Cli::try_parse_from(["cafe-menu", "add", "--file", "p.json"]).is_ok());
        assert!(Cli::try_parse_from(["cafe-menu", "add", "scone"]).is_err());
        assert!(
            Cli::try_parse_from(["cafe-menu", "add", "x", "--price", "1", "--file", "p.json"])
                .is_err()
        );
    }
}
